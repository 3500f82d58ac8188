using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>Copy-on-write edits of label and annotation maps.</summary>
internal static class MetadataEdits
{
    public static IReadOnlyDictionary<string, string> With(IReadOnlyDictionary<string, string>? map, string key, string value)
    {
        var copy = map is null ? [] : new Dictionary<string, string>(map, StringComparer.Ordinal);
        copy[key] = value;
        return copy;
    }

    public static IReadOnlyDictionary<string, string>? Without(IReadOnlyDictionary<string, string>? map, string key)
    {
        if (map is null || !map.ContainsKey(key))
        {
            return map;
        }

        var copy = new Dictionary<string, string>(map, StringComparer.Ordinal);
        copy.Remove(key);
        return copy;
    }

    /// <summary>Writes the applied record, noting in it whether the annotations map had to be created.</summary>
    public static V1ObjectMeta WithRecord(V1ObjectMeta metadata, AppliedRecord record)
    {
        if (metadata.Annotations is null)
        {
            record = record with { Created = [.. record.Created ?? [], "annotations"] };
        }

        return metadata with { Annotations = With(metadata.Annotations, MeshAnnotations.Applied, record.ToJson()) };
    }

    /// <summary>Removes the applied record, and the annotations map when MeshBridge created it and it is empty again.</summary>
    public static V1ObjectMeta WithoutRecord(V1ObjectMeta metadata, AppliedRecord? record)
    {
        var annotations = Without(metadata.Annotations, MeshAnnotations.Applied);
        var created = record?.Created?.Contains("annotations") == true;
        return metadata with { Annotations = created && annotations is { Count: 0 } ? null : annotations };
    }
}
