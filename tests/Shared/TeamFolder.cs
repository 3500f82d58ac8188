namespace MeshBridge.Testing;

/// <summary>
/// Fidelity data from the team folder <c>../shared</c> beside the repository (the real NIC v5.5.4 CRDs), never copied
/// into the repository. A test that needs it fails with this explanation when it is missing, rather than passing.
/// </summary>
internal static class TeamFolder
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string NicCrd(string fileName)
    {
        var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "crds", "nic", fileName));
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"The NIC CRD {fileName} was not found at {path}. These tests check MeshBridge against the real NIC v5.5.4 " +
                "CRDs in the team folder ../shared/crds/nic, beside the repository; check it out there.");
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

        throw new InvalidOperationException($"MeshBridge.sln not found above {AppContext.BaseDirectory}");
    }
}
