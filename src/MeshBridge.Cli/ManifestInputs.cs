using MeshBridge.Manifests;

namespace MeshBridge.Cli;

/// <summary>Reads <c>-f FILE|DIR|-</c> inputs the way kubectl does: a directory's .yaml/.yml/.json files in name order.</summary>
internal static class ManifestInputs
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static List<ManifestDocument> Read(IReadOnlyList<string> paths, bool recursive, TextReader stdin)
    {
        var documents = new List<ManifestDocument>();
        foreach (var path in paths.Count == 0 ? ["-"] : paths)
        {
            if (path == "-")
            {
                documents.AddRange(ManifestReader.Read(stdin.ReadToEnd(), "<stdin>"));
            }
            else if (Directory.Exists(path))
            {
                var option = recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
                var files = Directory.EnumerateFiles(path, "*", option)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var file in files)
                {
                    documents.AddRange(ManifestReader.Read(File.ReadAllText(file), file));
                }
            }
            else if (File.Exists(path))
            {
                documents.AddRange(ManifestReader.Read(File.ReadAllText(path), path));
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or directory");
            }
        }

        return documents;
    }
}
