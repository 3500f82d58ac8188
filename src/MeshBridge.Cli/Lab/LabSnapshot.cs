using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer;

namespace MeshBridge.Cli.Lab;

/// <summary>
/// Every object of the lab at one moment, without the fields the API server changes on every write
/// (<c>resourceVersion</c>, <c>managedFields</c>, <c>generation</c>, <c>uid</c>, <c>creationTimestamp</c>), so two
/// snapshots differ only where an object really changed. Events are kept apart (they are reported, not diffed) and
/// Leases are left out (a heartbeat, not a change). Secret values are replaced by their size and a digest: the
/// report is printed, and key material is never printed.
/// </summary>
internal sealed class LabSnapshot
{
    private static readonly string[] Noise = ["resourceVersion", "managedFields", "generation", "uid", "creationTimestamp"];

    private LabSnapshot(SortedDictionary<ObjectKey, JsonObject> objects, SortedDictionary<ObjectKey, JsonObject> events)
    {
        Objects = objects;
        Events = events;
    }

    public IReadOnlyDictionary<ObjectKey, JsonObject> Objects { get; }

    public IReadOnlyDictionary<ObjectKey, JsonObject> Events { get; }

    /// <summary>A consistent copy of the whole store (taken under its lock).</summary>
    public static LabSnapshot Capture(ObjectStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Of(store.Atomically(() => store.Keys(_ => true).Select(k => store.Get(k)!).ToList()));
    }

    public static LabSnapshot Of(IEnumerable<JsonObject> stored)
    {
        var objects = new SortedDictionary<ObjectKey, JsonObject>();
        var events = new SortedDictionary<ObjectKey, JsonObject>();
        foreach (var o in stored)
        {
            var key = KeyOf(o);
            switch (key.Kind)
            {
                case "Lease":
                    break;
                case "Event":
                    events[key] = Normalize(o);
                    break;
                default:
                    objects[key] = Normalize(o);
                    break;
            }
        }

        return new LabSnapshot(objects, events);
    }

    public static ObjectKey KeyOf(JsonNode o)
    {
        var metadata = o["metadata"];
        return new ObjectKey(Text(metadata?["namespace"]), Text(o["kind"]), Text(metadata?["name"]));
    }

    /// <summary>A copy without the write noise, Secret values redacted.</summary>
    public static JsonObject Normalize(JsonObject stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var copy = (JsonObject)stored.DeepClone();
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var field in Noise)
            {
                metadata.Remove(field);
            }
        }

        if (Text(copy["kind"]) == "Secret" && Text(copy["apiVersion"]) == "v1")
        {
            Redact(copy["data"] as JsonObject, base64: true);
            Redact(copy["stringData"] as JsonObject, base64: false);
        }

        return copy;
    }

    private static void Redact(JsonObject? values, bool base64)
    {
        foreach (var name in values?.Select(p => p.Key).ToList() ?? [])
        {
            var text = Text(values![name]);
            var bytes = base64 && TryBase64(text) is { } decoded ? decoded : Encoding.UTF8.GetBytes(text);
            values[name] = $"(redacted: {bytes.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]})";
        }
    }

    private static byte[]? TryBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : string.Empty;
}
