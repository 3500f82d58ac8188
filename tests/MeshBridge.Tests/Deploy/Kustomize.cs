using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MeshBridge.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace MeshBridge.Tests.Deploy;

/// <summary>
/// Renders deploy/ with the real <c>kubectl kustomize</c> of kubectl 1.33 (beside the Google Cloud CLI's
/// <c>kubectl</c> as <c>kubectl.1.33</c>) and parses what it prints: what the tests judge is exactly what
/// <c>kubectl apply -k</c> would send. A missing kubectl fails the tests; it never skips them.
/// </summary>
internal static class Kustomize
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<JsonObject>>>> Renders = new(StringComparer.Ordinal);

    public static string Kubectl => MeshBridge.Testing.KubectlPath.Kubectl;

    /// <summary>The repository's deploy/ folder, or one of its directories.</summary>
    public static string DeployPath(params string[] parts) => Path.Combine([Repo.Root, "deploy", .. parts]);

    /// <summary>An overlay (or the base) of deploy/, rendered once per test run.</summary>
    public static Task<IReadOnlyList<JsonObject>> RenderAsync(string relativeToDeploy) =>
        Renders.GetOrAdd(relativeToDeploy, key => new(() => RenderDirectoryAsync(DeployPath(key.Split('/'))))).Value;

    /// <summary>Any kustomization directory: the objects <c>kubectl kustomize</c> prints for it.</summary>
    public static async Task<IReadOnlyList<JsonObject>> RenderDirectoryAsync(string directory)
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
            Kubectl, directory, ["kustomize", directory], "kubectl 1.33 (the Google Cloud CLI's kubectl.1.33)", TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"kubectl kustomize {directory} failed ({exitCode}):\n{stderr}");
        return Parse(stdout);
    }

    /// <summary>Multi-document YAML as JSON objects; every scalar stays a string, as written.</summary>
    public static IReadOnlyList<JsonObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => (JsonObject)ToJson(d.RootNode)!)];
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar => scalar.Value is null ? null : JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType} at {node.Start}."),
    };
}

/// <summary>Reading rendered objects.</summary>
internal static class RenderedObjects
{
    public static string Kind(this JsonObject o) => (string)o["kind"]!;

    public static string Name(this JsonObject o) => (string)o["metadata"]!["name"]!;

    public static string? Namespace(this JsonObject o) => (string?)o["metadata"]!["namespace"];

    public static JsonObject Single(this IReadOnlyList<JsonObject> objects, string kind, string name) =>
        Assert.Single(objects, o => o.Kind() == kind && o.Name() == name);

    public static IEnumerable<JsonObject> OfKind(this IReadOnlyList<JsonObject> objects, params string[] kinds) =>
        objects.Where(o => kinds.Contains(o.Kind()));

    /// <summary>A list of strings (a missing list is empty).</summary>
    public static List<string> Strings(this JsonNode? list) => list is null ? [] : [.. list.AsArray().Select(n => (string)n!)];

    /// <summary>A map of strings (a missing map is empty).</summary>
    public static Dictionary<string, string> StringMap(this JsonNode? map) =>
        map is null ? [] : map.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);
}
