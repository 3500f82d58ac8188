namespace MeshBridge.Lab.Tests.Auth;

/// <summary>
/// kubectl 1.33 as this machine ships it: <c>$(dirname $(readlink -f $(command -v kubectl)))/kubectl.1.33</c>.
/// Its absence fails the fidelity tests loudly; skipping would let them pass without proving anything.
/// </summary>
internal static class Kubectl133
{
    private static readonly Lazy<string> Resolved = new(Resolve);

    public static string Path => Resolved.Value;

    private static string Resolve()
    {
        var kubectl = ExternalProcess.FindOnPath("kubectl")
            ?? throw new InvalidOperationException("kubectl is not on PATH; the kubectl 1.33 fidelity tests need kubectl.1.33 installed beside it");
        var target = File.ResolveLinkTarget(kubectl, returnFinalTarget: true)?.FullName ?? System.IO.Path.GetFullPath(kubectl);
        var versioned = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(target)!, "kubectl.1.33");
        return File.Exists(versioned)
            ? versioned
            : throw new InvalidOperationException($"kubectl.1.33 is not beside {target} (resolved from {kubectl}); the kubectl 1.33 fidelity tests need it");
    }
}
