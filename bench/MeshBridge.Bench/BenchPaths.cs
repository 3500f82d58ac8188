namespace MeshBridge.Bench;

/// <summary>Where benchmark reports go: bench/results in the repository the benchmark runs from.</summary>
internal static class BenchPaths
{
    public static string Result(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MeshBridge.sln")))
            {
                return Path.Combine(dir.FullName, "bench", "results", fileName);
            }
        }

        throw new InvalidOperationException("MeshBridge.sln not found above the benchmark binaries");
    }
}
