using System.Globalization;
using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer;

/// <summary>
/// The lab's etcd: objects by key, one global resourceVersion, and a bounded history of changes that watches replay.
/// The API server's storage rules live here (reference/kube-api.md §3): uid and creationTimestamp on create,
/// generation on spec changes, no new revision for a write identical to what is stored, finalizers holding a
/// deletion, and owner-reference garbage collection. One lock keeps it simple and linearisable.
/// </summary>
public sealed class ObjectStore
{
    private readonly object gate = new();
    private readonly Dictionary<StoreKey, JsonObject> objects = [];
    private readonly LinkedList<StoredEvent> history = new();
    private readonly List<WatchSubscription> watchers = [];
    private readonly TimeProvider time;
    private readonly int historyLimit;
    private long revision = 100;
    private long oldestRetained = 101;

    public ObjectStore(TimeProvider time, int historyLimit = 10_000)
    {
        this.time = time;
        this.historyLimit = historyLimit;
    }

    public long Revision
    {
        get
        {
            lock (gate)
            {
                return revision;
            }
        }
    }

    /// <summary>Runs a read-modify-write under the store lock, so the check and the write see the same state.</summary>
    public T Atomically<T>(Func<T> action)
    {
        lock (gate)
        {
            return action();
        }
    }

    public JsonObject? Get(StoreKey key)
    {
        lock (gate)
        {
            return objects.TryGetValue(key, out var found) ? (JsonObject)found.DeepClone() : null;
        }
    }

    /// <summary>
    /// One page of a resource's objects (optionally one namespace) that <paramref name="matches"/> accepts, in
    /// namespace/name order, from <paramref name="offset"/>; how many matching objects follow it; and the revision.
    /// Only the page is copied, so paging through N objects costs N copies, not N per page.
    /// </summary>
    public (List<JsonObject> Items, int Remaining, long ResourceVersion) ListPage(string resource, string? ns, Func<JsonObject, bool> matches, int offset, int limit)
    {
        lock (gate)
        {
            var matching = objects
                .Where(p => p.Key.Resource == resource && (ns is null || p.Key.Namespace == ns))
                .OrderBy(p => p.Key.Namespace, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal)
                .Select(p => p.Value)
                .Where(matches)
                .ToList();
            var page = matching.Skip(offset).Take(limit).Select(o => (JsonObject)o.DeepClone()).ToList();
            return (page, Math.Max(0, matching.Count - offset - page.Count), revision);
        }
    }

    /// <summary>A consistent snapshot of one resource's objects (optionally one namespace) and the revision it was taken at.</summary>
    public (List<JsonObject> Items, long ResourceVersion) List(string resource, string? ns)
    {
        lock (gate)
        {
            var items = objects
                .Where(p => p.Key.Resource == resource && (ns is null || p.Key.Namespace == ns))
                .OrderBy(p => p.Key.Namespace, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal)
                .Select(p => (JsonObject)p.Value.DeepClone())
                .ToList();
            return (items, revision);
        }
    }

    public IReadOnlyList<StoreKey> Keys(Func<StoreKey, bool> predicate)
    {
        lock (gate)
        {
            return objects.Keys.Where(predicate).ToList();
        }
    }

    public JsonObject Create(StoreKey key, JsonObject value, bool hasGeneration)
    {
        lock (gate)
        {
            if (objects.ContainsKey(key))
            {
                throw new StoreException("AlreadyExists", "already exists");
            }

            var metadata = Metadata(value);
            DropEmptyMetadataFields(value);
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Now();
            metadata.Remove("deletionTimestamp");
            if (hasGeneration)
            {
                metadata["generation"] = 1;
            }
            else
            {
                metadata.Remove("generation");
            }

            return Commit(WatchEventKind.Added, key, value);
        }
    }

    /// <summary>
    /// ObjectMeta's maps and lists are <c>omitempty</c>: the API server decodes every object's metadata (and a pod
    /// template's) into ObjectMeta, so an empty <c>labels: {}</c> or <c>annotations: {}</c> is never stored.
    /// </summary>
    private static void DropEmptyMetadataFields(JsonObject value)
    {
        static void Drop(JsonNode? metadata)
        {
            if (metadata is not JsonObject fields)
            {
                return;
            }

            foreach (var name in new[] { "labels", "annotations", "ownerReferences", "finalizers", "managedFields" })
            {
                if (fields[name] is JsonObject { Count: 0 } or JsonArray { Count: 0 })
                {
                    fields.Remove(name);
                }
            }
        }

        Drop(value["metadata"]);
        Drop(value["spec"]?["template"]?["metadata"]);
    }

    /// <summary>
    /// Stores a new version. Generation rises when anything outside metadata and status changed. An update
    /// identical to the stored object is not persisted: same resourceVersion, no event.
    /// </summary>
    public JsonObject Update(StoreKey key, JsonObject value, bool hasGeneration)
    {
        lock (gate)
        {
            var current = objects.GetValueOrDefault(key) ?? throw new StoreException("NotFound", "not found");
            var currentMetadata = Metadata(current);
            var metadata = Metadata(value);
            DropEmptyMetadataFields(value);
            foreach (var serverOwned in new[] { "uid", "creationTimestamp" })
            {
                metadata[serverOwned] = currentMetadata[serverOwned]?.DeepClone();
            }

            metadata["resourceVersion"] = currentMetadata["resourceVersion"]?.DeepClone();
            if (currentMetadata["deletionTimestamp"] is { } deleting)
            {
                metadata["deletionTimestamp"] = deleting.DeepClone();
            }

            var generation = Number(currentMetadata["generation"]);
            if (hasGeneration)
            {
                metadata["generation"] = SpecChanged(current, value) ? generation + 1 : generation;
            }

            if (JsonNode.DeepEquals(current, value))
            {
                return (JsonObject)current.DeepClone();
            }

            if (metadata["deletionTimestamp"] is not null && (metadata["finalizers"] as JsonArray)?.Count is null or 0)
            {
                return Remove(key, value);
            }

            return Commit(WatchEventKind.Modified, key, value);
        }
    }

    /// <summary>Deletes now, or marks for deletion while finalizers remain (the object is returned either way).</summary>
    public (JsonObject Object, bool Pending) Delete(StoreKey key, bool hasGeneration)
    {
        lock (gate)
        {
            var current = objects.GetValueOrDefault(key) ?? throw new StoreException("NotFound", "not found");
            var finalizers = Metadata(current)["finalizers"] as JsonArray;
            if (finalizers is { Count: > 0 })
            {
                var marked = (JsonObject)current.DeepClone();
                var metadata = Metadata(marked);
                if (metadata["deletionTimestamp"] is null)
                {
                    metadata["deletionTimestamp"] = Now();
                    metadata["deletionGracePeriodSeconds"] = 0;
                    if (hasGeneration)
                    {
                        metadata["generation"] = Number(metadata["generation"]) + 1;
                    }

                    return (Commit(WatchEventKind.Modified, key, marked), true);
                }

                return ((JsonObject)current.DeepClone(), true);
            }

            return (Remove(key, current), false);
        }
    }

    /// <summary>Whether any stored object has this uid (a live owner, for garbage collection).</summary>
    public bool ContainsUid(string uid)
    {
        lock (gate)
        {
            return objects.Values.Any(o => (o["metadata"]?["uid"] as JsonValue)?.ToString() == uid);
        }
    }

    /// <summary>The keys of objects whose ownerReferences name this uid.</summary>
    public IReadOnlyList<StoreKey> Dependents(string ownerUid)
    {
        lock (gate)
        {
            return objects
                .Where(p => (Metadata(p.Value)["ownerReferences"] as JsonArray)?.Any(r => r?["uid"]?.GetValue<string>() == ownerUid) == true)
                .Select(p => p.Key)
                .ToList();
        }
    }

    /// <summary>
    /// Opens a watch at a resourceVersion: 0 or none replays the current objects as ADDED; N replays history after
    /// N, or fails with Expired when N has been compacted away.
    /// </summary>
    public WatchSubscription Watch(string resource, string? ns, long? fromRevision, Func<StoredEvent, bool> filter)
    {
        lock (gate)
        {
            var subscription = new WatchSubscription(resource, ns, filter, Unsubscribe);
            if (fromRevision is null or 0)
            {
                foreach (var (key, value) in objects.Where(p => p.Key.Resource == resource && (ns is null || p.Key.Namespace == ns))
                             .OrderBy(p => p.Key.Namespace, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal))
                {
                    var e = new StoredEvent(WatchEventKind.Added, key, ResourceVersionOf(value), (JsonObject)value.DeepClone());
                    if (subscription.Matches(e))
                    {
                        subscription.Channel.Writer.TryWrite(e);
                    }
                }
            }
            else
            {
                if (fromRevision < oldestRetained - 1)
                {
                    throw new StoreException("Expired", $"too old resource version: {fromRevision} ({oldestRetained - 1})");
                }

                foreach (var e in history.Where(e => e.ResourceVersion > fromRevision && subscription.Matches(e)))
                {
                    subscription.Channel.Writer.TryWrite(e);
                }
            }

            watchers.Add(subscription);
            return subscription;
        }
    }

    /// <summary>Drops history up to the current revision, so any watch from an older revision gets 410 Expired.</summary>
    public void Compact()
    {
        lock (gate)
        {
            history.Clear();
            oldestRetained = revision + 1;
        }
    }

    /// <summary>Ends every open watch, as an API server restart or a dropped connection would.</summary>
    public void CloseAllWatches()
    {
        lock (gate)
        {
            foreach (var watcher in watchers)
            {
                watcher.Close();
            }
        }
    }

    private JsonObject Remove(StoreKey key, JsonObject last)
    {
        objects.Remove(key);
        revision++;
        var final = (JsonObject)last.DeepClone();
        Metadata(final)["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        Record(new StoredEvent(WatchEventKind.Deleted, key, revision, final));
        return (JsonObject)final.DeepClone();
    }

    private JsonObject Commit(WatchEventKind kind, StoreKey key, JsonObject value)
    {
        revision++;
        var stored = (JsonObject)value.DeepClone();
        Metadata(stored)["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        objects[key] = stored;
        Record(new StoredEvent(kind, key, revision, (JsonObject)stored.DeepClone()));
        return (JsonObject)stored.DeepClone();
    }

    private void Record(StoredEvent e)
    {
        history.AddLast(e);
        while (history.Count > historyLimit)
        {
            history.RemoveFirst();
            oldestRetained = history.First!.Value.ResourceVersion;
        }

        foreach (var watcher in watchers.Where(w => w.Matches(e)))
        {
            watcher.Channel.Writer.TryWrite(e);
        }
    }

    private void Unsubscribe(WatchSubscription subscription)
    {
        lock (gate)
        {
            watchers.Remove(subscription);
        }
    }

    private static bool SpecChanged(JsonObject before, JsonObject after)
    {
        static JsonObject Body(JsonObject o) =>
            new(o.Where(p => p.Key is not ("metadata" or "status")).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        return !JsonNode.DeepEquals(Body(before), Body(after));
    }

    private static long ResourceVersionOf(JsonObject value) =>
        long.Parse(Metadata(value)["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    /// <summary>A JSON number as a long, whatever CLR type backs the node (0 when absent).</summary>
    internal static long Number(JsonNode? node) =>
        node is null ? 0 : long.Parse(node.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture);

    internal static JsonObject Metadata(JsonObject value)
    {
        if (value["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            value["metadata"] = metadata;
        }

        return metadata;
    }

    private string Now() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
