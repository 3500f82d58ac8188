namespace MeshBridge.Testing;

/// <summary>
/// The real kubectl 1.33, preinstalled beside the Google Cloud CLI's <c>kubectl</c> as <c>kubectl.1.33</c>
/// (<c>$(dirname $(readlink -f $(command -v kubectl)))/kubectl.1.33</c>). A missing one fails the test that needs it,
/// with this explanation; it never skips it.
/// </summary>
internal static class KubectlPath
{
    private static readonly Lazy<string> Resolved = new(Resolve);

    public static string Kubectl => Resolved.Value;

    private static string Resolve()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "kubectl"))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("kubectl is not on PATH; these tests need the real kubectl 1.33 (installed with the Google Cloud CLI).");
        var real = File.ResolveLinkTarget(onPath, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(onPath);
        var versioned = Path.Combine(Path.GetDirectoryName(real)!, "kubectl.1.33");
        return File.Exists(versioned)
            ? versioned
            : throw new InvalidOperationException($"kubectl.1.33 was not found beside {real}; these tests need the real kubectl 1.33.");
    }
}
