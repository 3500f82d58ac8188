using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer;

/// <summary>
/// core/v1 Event ⇄ events.k8s.io/v1 Event over one store (k8s pkg/apis/events/v1/conversion.go; reference/kube-api.md
/// §10): regarding ⇄ involvedObject, note ⇄ message, reportingController ⇄ reportingComponent, deprecated* ⇄
/// source/firstTimestamp/lastTimestamp/count.
/// </summary>
public static class EventConversion
{
    private static readonly (string V1, string Core)[] Renames =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    public static JsonObject ToCore(JsonObject v1) => Rename(v1, "v1", Renames.Select(r => (r.V1, r.Core)));

    public static JsonObject ToEventsV1(JsonObject core) => Rename(core, "events.k8s.io/v1", Renames.Select(r => (r.Core, r.V1)));

    private static JsonObject Rename(JsonObject source, string apiVersion, IEnumerable<(string From, string To)> renames)
    {
        var result = (JsonObject)source.DeepClone();
        foreach (var (from, to) in renames)
        {
            if (result.Remove(from, out var value))
            {
                result[to] = value;
            }
        }

        if (result["apiVersion"] is not null)
        {
            result["apiVersion"] = apiVersion;
        }

        return result;
    }
}
