using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>The bookkeeping around a list of managedFields entries that the field manager's wrappers do.</summary>
internal static class ManagedFieldsList
{
    /// <summary>A copy of <paramref name="obj"/> without <c>metadata.managedFields</c>, which is never compared or merged.</summary>
    public static JsonObject? Detach(JsonObject? obj)
    {
        if (obj?.DeepClone() is not JsonObject copy)
        {
            return null;
        }

        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    /// <summary>Writes the entries into the object; an empty list leaves no managedFields, as Go's omitempty does.</summary>
    public static JsonObject Attach(JsonObject obj, IReadOnlyList<ManagedFieldsEntry> entries)
    {
        if (entries.Count == 0)
        {
            (obj["metadata"] as JsonObject)?.Remove("managedFields");
            return obj;
        }

        if (obj["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            obj["metadata"] = metadata;
        }

        metadata["managedFields"] = new JsonArray(entries.Select(entry => (JsonNode)entry.ToJson()).ToArray());
        return obj;
    }

    /// <summary>
    /// The entries an update starts from [internal/fieldmanager.go decodeLiveOrNew]: the client's own
    /// managedFields when it sent a decodable, non-empty list on the main resource; none when it sent <c>[]</c> or
    /// <c>[{}]</c> (the documented way to clear them); otherwise the live ones.
    /// </summary>
    public static List<ManagedFieldsEntry> ForUpdate(JsonObject after, IReadOnlyList<ManagedFieldsEntry> live, bool isSubresource)
    {
        if (isSubresource || after["metadata"]?["managedFields"] is not JsonArray sent)
        {
            return live.ToList();
        }

        if (sent.Count == 0 || (sent.Count == 1 && sent[0] is JsonObject { Count: 0 }))
        {
            return [];
        }

        try
        {
            var decoded = ManagedFieldsEntry.ListFrom(after);
            return (decoded.Count > 0 ? decoded : live).ToList();
        }
        catch (FormatException)
        {
            return live.ToList();
        }
    }

    /// <summary>Takes <paramref name="fields"/> out of every entry and drops the entries left empty.</summary>
    public static List<ManagedFieldsEntry> Release(IEnumerable<ManagedFieldsEntry> entries, FieldSet fields) =>
        entries
            .Select(entry => entry with { Fields = entry.Fields.Except(fields) })
            .Where(entry => !entry.Fields.IsEmpty)
            .ToList();

    /// <summary>
    /// The list to store. A write that changes neither the object nor any entry's fields keeps the old entries, times
    /// included, so it is not persisted as a change [apiserver/pkg/endpoints/handlers/fieldmanager/equality.go
    /// IgnoreManagedFieldsTimestampsTransformer]. Otherwise entries are sorted as the API server encodes them:
    /// Apply before Update, then by time, manager, apiVersion, subresource [internal/managedfields.go].
    /// </summary>
    public static IReadOnlyList<ManagedFieldsEntry> Finish(JsonObject before, JsonObject after, IReadOnlyList<ManagedFieldsEntry> old, List<ManagedFieldsEntry> updated)
    {
        if (JsonValueEquality.AreEqual(before, after) && SameIgnoringTime(old, updated))
        {
            return old;
        }

        return updated
            .OrderBy(entry => entry.Operation)
            .ThenBy(entry => entry.Time?.ToUnixTimeSeconds() ?? 0)
            .ThenBy(entry => entry.Manager, StringComparer.Ordinal)
            .ThenBy(entry => entry.ApiVersion, StringComparer.Ordinal)
            .ThenBy(entry => entry.Subresource ?? string.Empty, StringComparer.Ordinal)
            .ToList();
    }

    private static bool SameIgnoringTime(IReadOnlyList<ManagedFieldsEntry> old, List<ManagedFieldsEntry> updated)
    {
        var remaining = old.Select(entry => entry with { Time = null }).ToList();
        return old.Count == updated.Count && updated.All(entry => remaining.Remove(entry with { Time = null }));
    }
}
