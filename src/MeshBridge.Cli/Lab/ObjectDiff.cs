using System.Text.Json.Nodes;
using MeshBridge.Manifests;

namespace MeshBridge.Cli.Lab;

/// <summary>
/// What changed between two lab snapshots: one unified diff of kubectl-style YAML per created, modified or deleted
/// object, in key order (namespace, kind, name), and the Warning events MeshBridge recorded in between. A modified
/// object is rendered in its earlier key order (new keys last), so a patch that re-orders keys shows no change.
/// </summary>
internal static class ObjectDiff
{
    public const string Absent = "/dev/null";

    public static IReadOnlyList<ObjectChange> Between(LabSnapshot before, LabSnapshot after, int context = UnifiedDiff.DefaultContext)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = new List<ObjectChange>();
        foreach (var key in before.Objects.Keys.Union(after.Objects.Keys).Order())
        {
            var old = before.Objects.GetValueOrDefault(key);
            var current = after.Objects.GetValueOrDefault(key);
            if (old is not null && current is not null && JsonNode.DeepEquals(old, current))
            {
                continue;
            }

            var kind = old is null ? ObjectChangeKind.Created : current is null ? ObjectChangeKind.Deleted : ObjectChangeKind.Modified;
            var diff = UnifiedDiff.Format(
                Lines(old),
                Lines(current is null ? null : JsonOrder.LikeOriginal(current, old)),
                old is null ? Absent : key.ToString(),
                current is null ? Absent : key.ToString(),
                context);
            if (diff.Count > 0)
            {
                changes.Add(new ObjectChange(key, kind, diff));
            }
        }

        return changes;
    }

    /// <summary>Warning events written by MeshBridge that are new, or changed, since <paramref name="before"/>.</summary>
    public static IReadOnlyList<RecordedWarning> NewWarnings(LabSnapshot before, LabSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return after.Events
            .Where(p => !before.Events.TryGetValue(p.Key, out var earlier) || !JsonNode.DeepEquals(earlier, p.Value))
            .Select(p => p.Value)
            .Where(e => Text(e["type"]) == "Warning" && Text(e["reportingController"]).StartsWith("meshbridge", StringComparison.Ordinal))
            .Select(e => new RecordedWarning(Text(e["reason"]), Regarding(e["regarding"]), Text(e["note"])))
            .OrderBy(w => w.Regarding)
            .ThenBy(w => w.Reason, StringComparer.Ordinal)
            .ToList();
    }

    public static IReadOnlyList<string> Lines(JsonNode? node)
    {
        if (node is null)
        {
            return [];
        }

        var yaml = ManifestWriter.ToYaml(node);
        return yaml.EndsWith('\n') ? yaml[..^1].Split('\n') : yaml.Split('\n');
    }

    private static ObjectKey Regarding(JsonNode? reference) =>
        new(Text(reference?["namespace"]), Text(reference?["kind"]), Text(reference?["name"]));

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : string.Empty;
}
