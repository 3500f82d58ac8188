using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// What changed between two versions of an object, in field paths, as structured-merge-diff's
/// <c>TypedValue.Compare</c> reports it for our schemas: scalars and (atomic) lists are compared whole; a map that
/// appears or disappears is itself added or removed along with everything under it, which is why Update entries
/// carry <c>".": {}</c> for maps they created. Server-owned metadata is left out, as the field manager strips it.
/// </summary>
internal sealed record FieldComparison(FieldSet Added, FieldSet Modified, FieldSet Removed)
{
    /// <summary>Fields whose value is new or different: what another manager's ownership conflicts with.</summary>
    public FieldSet Changed => Added.Union(Modified);

    public bool IsEmpty => Added.IsEmpty && Modified.IsEmpty && Removed.IsEmpty;

    public static FieldComparison Between(JsonObject before, JsonObject after)
    {
        var added = new List<FieldPath>();
        var modified = new List<FieldPath>();
        var removed = new List<FieldPath>();
        CompareMaps(before, after, FieldPath.Root, added, modified, removed);
        return new FieldComparison(
            new FieldSet(added).WithoutServerOwned(),
            new FieldSet(modified).WithoutServerOwned(),
            new FieldSet(removed).WithoutServerOwned());
    }

    private static void CompareMaps(JsonObject before, JsonObject after, FieldPath at, List<FieldPath> added, List<FieldPath> modified, List<FieldPath> removed)
    {
        foreach (var (name, old) in before)
        {
            var path = at.Field(name);
            if (!after.TryGetPropertyValue(name, out var current))
            {
                AddSubtree(old, path, removed);
            }
            else if (old is JsonObject oldMap && current is JsonObject currentMap)
            {
                CompareMaps(oldMap, currentMap, path, added, modified, removed);
            }
            else if (!JsonValueEquality.AreEqual(old, current))
            {
                // A map turned scalar (or back) only happens without a schema; report the leaf as modified and
                // what hung below it as removed or added.
                modified.Add(path);
                AddChildren(old, path, removed);
                AddChildren(current, path, added);
            }
        }

        foreach (var (name, current) in after)
        {
            if (!before.ContainsKey(name))
            {
                AddSubtree(current, at.Field(name), added);
            }
        }
    }

    private static void AddSubtree(JsonNode? value, FieldPath path, List<FieldPath> into)
    {
        into.Add(path);
        AddChildren(value, path, into);
    }

    private static void AddChildren(JsonNode? value, FieldPath path, List<FieldPath> into)
    {
        if (value is JsonObject map)
        {
            foreach (var (name, child) in map)
            {
                AddSubtree(child, path.Field(name), into);
            }
        }
    }
}
