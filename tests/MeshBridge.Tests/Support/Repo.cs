namespace MeshBridge.Tests.Support;

/// <summary>Paths in the repository and in the team folder beside it.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string TestData(params string[] parts) => Path.Combine([Root, "tests", "MeshBridge.Tests", "testdata", .. parts]);

    /// <summary>
    /// The real NIC CRDs are fidelity data from ../shared (never copied into the repository). Tests that need them
    /// fail with this message when the folder is missing, rather than passing without them.
    /// </summary>
    public static string SharedCrd(string fileName)
    {
        var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "crds", "nic", fileName));
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The NIC CRD {fileName} was not found at {path}. These tests validate MeshBridge's output against the real " +
                "NIC v5.5.4 CRDs in the team folder ../shared/crds/nic, beside the repository; check it out there.");
        }

        return path;
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
