using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// One entry of a kubeconfig file (a cluster, user or context body, or a part of one such as <c>exec</c>) with the file
/// it came from, so relative paths resolve against that file's directory (clientcmd's ResolveLocalPaths) and every
/// error names file, entry and field. Field types follow the Go structs kubectl decodes into: a string field holding a
/// number or a boolean is an error there too.
/// </summary>
internal sealed class KubeConfigSection(JsonObject body, string file, string entry, string fieldPrefix = "")
{
    public string File { get; } = file;

    /// <summary>e.g. <c>user "dev"</c>.</summary>
    public string Entry { get; } = entry;

    /// <summary>True when the field is present and not null.</summary>
    public bool Has(string field) => body[field] is not null;

    /// <summary>The string value; null when absent, null or empty (clientcmd tests <c>len(x) &gt; 0</c> throughout).</summary>
    public string? String(string field) => body[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is { Length: > 0 } s ? s : null,
        _ => throw Error(field, "must be a string"),
    };

    public bool Bool(string field) => body[field] switch
    {
        null => false,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw Error(field, "must be true or false"),
    };

    /// <summary>A path field, made absolute against the directory of the file that defines it.</summary>
    public string? FilePath(string field) => String(field) is { } path ? ResolvePath(path) : null;

    /// <summary>A <c>*-data</c> field: base64 (standard alphabet, line breaks allowed, as Go's encoding/json reads []byte).</summary>
    public byte[]? Base64(string field)
    {
        if (String(field) is not { } text)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Error(field, "not valid base64");
        }
    }

    /// <summary>The text of the file a path field names.</summary>
    public string ReadFile(string field, string path) =>
        ConfigFileReader.ReadText(path, (reason, e) => Error($"{field} {path}", reason, e));

    public JsonObject? Object(string field) => body[field] switch
    {
        null => null,
        JsonObject o => o,
        _ => throw Error(field, "must be a mapping"),
    };

    public JsonArray? Array(string field) => body[field] switch
    {
        null => null,
        JsonArray a => a,
        _ => throw Error(field, "must be a list"),
    };

    /// <summary>A nested mapping read with the same file and entry, its fields named <c>field.child</c>.</summary>
    public KubeConfigSection? Child(string field) =>
        Object(field) is { } child ? new KubeConfigSection(child, File, Entry, $"{fieldPrefix}{field}.") : null;

    /// <summary>Names a field of this section, with the prefix of a nested one.</summary>
    public string Name(string field) => fieldPrefix + field;

    public string ResolvePath(string path) =>
        System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(File)!, path));

    public KubeConfigException Error(string field, string reason, Exception? inner = null) =>
        KubeConfigException.Create($"kubeconfig {File}: {Entry}: {Name(field)}: {reason}", inner);

    public KubeConfigException Error(string reason) => new($"kubeconfig {File}: {Entry}: {reason}");
}
