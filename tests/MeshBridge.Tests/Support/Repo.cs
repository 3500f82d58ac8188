namespace MeshBridge.Tests.Support;

/// <summary>Paths in the repository and in the team folder beside it.</summary>
internal static class Repo
{
    public static string Root => TeamFolder.RepositoryRoot;

    public static string TestData(params string[] parts) => Path.Combine([Root, "tests", "MeshBridge.Tests", "testdata", .. parts]);

    public static string SharedCrd(string fileName) => TeamFolder.NicCrd(fileName);
}
