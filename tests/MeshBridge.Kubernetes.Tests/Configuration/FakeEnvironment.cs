namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>Environment variables for one test, so tests never change the process environment they share.</summary>
internal static class FakeEnvironment
{
    public static Func<string, string?> With(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }
}
