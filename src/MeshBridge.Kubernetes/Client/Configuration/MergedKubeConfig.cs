using System.Text.Json.Nodes;
using MeshBridge.Manifests;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// Kubeconfig files merged with clientcmd's loading rules (tools/clientcmd/loader.go): for clusters, users and contexts
/// the first file that defines a name wins and later files never change it; current-context is the first non-empty
/// one. Each entry keeps the file it came from.
/// </summary>
internal sealed class MergedKubeConfig
{
    private MergedKubeConfig(IReadOnlyList<string> files)
    {
        Files = files;
    }

    /// <summary>The files that were read, in precedence order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The files as they are named in messages (a KUBECONFIG-style list).</summary>
    public string Description => string.Join(Path.PathSeparator, Files);

    public string? CurrentContext { get; private set; }

    public Dictionary<string, KubeConfigSection> Clusters { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, KubeConfigSection> Users { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, KubeConfigSection> Contexts { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads <paramref name="paths"/> in order. A missing file is skipped when it comes from a KUBECONFIG list (as
    /// clientcmd does) and is an error when it was named explicitly; a file that exists but cannot be parsed is
    /// always an error.
    /// </summary>
    public static MergedKubeConfig Load(IReadOnlyList<string> paths, bool missingIsError)
    {
        var existing = new List<string>();
        var documents = new List<(string File, JsonObject Root)>();
        foreach (var path in paths.Select(p => Path.GetFullPath(p)).Distinct(StringComparer.Ordinal))
        {
            if (!File.Exists(path))
            {
                if (missingIsError)
                {
                    throw new KubeConfigException($"kubeconfig {path}: file not found");
                }

                continue;
            }

            existing.Add(path);
            documents.Add((path, Parse(path)));
        }

        var merged = new MergedKubeConfig(existing);
        foreach (var (file, root) in documents)
        {
            merged.Add(file, root);
        }

        return merged;
    }

    private static JsonObject Parse(string path)
    {
        var text = ConfigFileReader.ReadText(path, (reason, e) => KubeConfigException.Create($"kubeconfig {path}: {reason}", e));
        IReadOnlyList<ManifestDocument> documents;
        try
        {
            documents = ManifestReader.Read(text, path);
        }
        catch (ManifestFormatException e)
        {
            throw new KubeConfigException($"kubeconfig {e.Message}", e);
        }

        // sigs.k8s.io/yaml reads the first document only; an empty file is an empty config.
        return documents.FirstOrDefault(d => d.Node is not null)?.Node switch
        {
            null => [],
            JsonObject root => root,
            _ => throw new KubeConfigException($"kubeconfig {path}: not a kubeconfig (the document is not a mapping)"),
        };
    }

    private void Add(string file, JsonObject root)
    {
        var top = new KubeConfigSection(root, file, "top level");
        CurrentContext ??= top.String("current-context");
        AddEntries(top, "clusters", "cluster", Clusters);
        AddEntries(top, "users", "user", Users);
        AddEntries(top, "contexts", "context", Contexts);
    }

    private static void AddEntries(KubeConfigSection top, string listField, string bodyField, Dictionary<string, KubeConfigSection> into)
    {
        var list = top.Array(listField);
        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            var item = list![i] as JsonObject ?? throw top.Error($"{listField}[{i}]", "must be a mapping with name and " + bodyField);
            var named = new KubeConfigSection(item, top.File, $"{listField}[{i}]");
            var name = named.String("name") ?? throw named.Error("name", "not set");
            var body = named.Object(bodyField) ?? [];
            into.TryAdd(name, new KubeConfigSection(body, top.File, $"{bodyField} \"{name}\""));
        }
    }
}
