namespace MeshBridge.Bench;

/// <summary>Where benchmark reports go (bench/results in the repository the benchmark runs from) and what they read.</summary>
internal static class BenchPaths
{
    /// <summary>The repository the benchmark binaries were built in (the folder holding MeshBridge.sln).</summary>
    public static string Root { get; } = FindRoot();

    public static string Result(string fileName) => Path.Combine(Root, "bench", "results", fileName);

    /// <summary>
    /// A real NIC v5.5.4 CRD from the team folder ../shared/crds/nic beside the repository (never copied into it); a
    /// clear failure when it is missing, since the lab's permissive CRDs would make the figures meaningless.
    /// </summary>
    public static string NicCrd(string fileName)
    {
        var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "crds", "nic", fileName));
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"The NIC CRD {fileName} was not found at {path}. The scenario benchmark runs against the real NIC v5.5.4 " +
                "CRDs in the team folder ../shared/crds/nic beside the repository; check it out there.", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MeshBridge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MeshBridge.sln not found above the benchmark binaries");
    }
}
