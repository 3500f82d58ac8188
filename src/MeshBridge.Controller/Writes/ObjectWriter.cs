using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Transform.Model;
using Microsoft.Extensions.Logging;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Writes;

/// <summary>
/// Writes what the transform decided, and only that (DESIGN.md §4). NIC's CRD lists are atomic under server-side
/// apply (no list-map keys), so VirtualServers and VirtualServerRoutes get a JSON Patch guarded by a <c>test</c> on
/// metadata.resourceVersion: a concurrent edit makes it fail (422) and the key is reconciled again on fresh state.
/// Workloads get a merge patch of exactly MeshBridge's pod-template keys, so nothing else on them is touched.
/// </summary>
public sealed class ObjectWriter(KubernetesApi client, string fieldManager, Operations.ControllerMetrics? metrics = null, ILogger? logger = null)
{
    private readonly OwnWrites own = new();
    private long writes;

    public long Writes => Interlocked.Read(ref writes);

    /// <summary>
    /// Whether this version's watch event should re-queue nothing now, being (or possibly being) the result of
    /// MeshBridge's own patch; <paramref name="requeue"/> runs later if it turns out not to be (<see cref="OwnWrites"/>).
    /// </summary>
    public bool IsOwnWrite(ResourceType type, KubernetesObject obj, Action requeue) =>
        obj.Metadata.ResourceVersion is { } version && obj.Metadata.Name is { } name &&
        own.Suppress((type.Plural, obj.Metadata.Namespace(), name), version, requeue);

    private async Task<JsonObject> PatchTrackedAsync(ResourceType type, KubernetesObject original, V1Patch patch, CancellationToken cancellationToken)
    {
        var key = (type.Plural, original.Metadata.Namespace(), original.Metadata.Name!);
        own.Begin(key);
        string? produced = null;
        try
        {
            var result = await client.PatchAsync(type, original.Metadata.Namespace(), original.Metadata.Name!, patch,
                new WriteOptions { FieldManager = fieldManager }, null, cancellationToken).ConfigureAwait(false);
            produced = result["metadata"]?["resourceVersion"]?.GetValue<string>();
            return result;
        }
        finally
        {
            own.End(key, produced);
        }
    }

    private void Record(ResourceType type, string verb, string? ns, string? name)
    {
        Interlocked.Increment(ref writes);
        metrics?.RecordWrite(type.Plural, verb);
        if (logger is not null)
        {
            Reconcilers.ReconcileLog.Wrote(logger, verb, type.Kind, $"{ns}/{name}");
        }
    }

    /// <summary>Patches the parts of a NIC resource that differ (spec, annotations), guarded by its resourceVersion; false when nothing differs.</summary>
    public async Task<bool> PatchGuardedAsync<T>(ResourceType type, T original, T updated, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : KubernetesObject
    {
        var before = (JsonObject)JsonSerializer.SerializeToNode(original, typeInfo)!;
        var after = (JsonObject)JsonSerializer.SerializeToNode(updated, typeInfo)!;
        var operations = new JsonArray(new JsonObject
        {
            ["op"] = "test",
            ["path"] = "/metadata/resourceVersion",
            ["value"] = original.Metadata.ResourceVersion,
        });
        AddDifference(operations, "/spec", before["spec"], after["spec"]);
        AddDifference(operations, "/metadata/annotations", before["metadata"]?["annotations"], after["metadata"]?["annotations"]);
        if (operations.Count == 1)
        {
            return false;
        }

        await PatchTrackedAsync(type, original, new V1Patch(operations, PatchType.JsonPatch), cancellationToken).ConfigureAwait(false);
        Record(type, "patch", original.Metadata.Namespace(), original.Metadata.Name);
        return true;
    }

    /// <summary>A merge patch of the workload's record annotation and pod-template labels/annotations that changed.</summary>
    public async Task<bool> PatchWorkloadAsync(ResourceType type, Workload original, Workload updated, CancellationToken cancellationToken)
    {
        var patch = new JsonObject();
        var metadata = MapDifference(original.Metadata.Annotations, updated.Metadata.Annotations);
        var labels = MapDifference(original.Spec?.Template?.Metadata?.Labels, updated.Spec?.Template?.Metadata?.Labels);
        var annotations = MapDifference(original.Spec?.Template?.Metadata?.Annotations, updated.Spec?.Template?.Metadata?.Annotations);
        if (metadata is not null)
        {
            patch["metadata"] = new JsonObject { ["annotations"] = metadata };
        }

        if (labels is not null || annotations is not null)
        {
            var podMetadata = new JsonObject();
            if (labels is not null)
            {
                podMetadata["labels"] = labels;
            }

            if (annotations is not null)
            {
                podMetadata["annotations"] = annotations;
            }

            patch["spec"] = new JsonObject { ["template"] = new JsonObject { ["metadata"] = podMetadata } };
        }

        if (patch.Count == 0)
        {
            return false;
        }

        await PatchTrackedAsync(type, original, new V1Patch(patch, PatchType.MergePatch), cancellationToken).ConfigureAwait(false);
        Record(type, "patch", original.Metadata.Namespace(), original.Metadata.Name);
        return true;
    }

    public async Task CreateJsonAsync(ResourceType type, string ns, JsonObject value, CancellationToken cancellationToken)
    {
        await client.CreateAsync(type, ns, value, new WriteOptions { FieldManager = fieldManager }, cancellationToken).ConfigureAwait(false);
        Record(type, "create", ns, value["metadata"]?["name"]?.GetValue<string>());
    }

    public async Task ReplaceJsonAsync(ResourceType type, string ns, string name, JsonObject value, CancellationToken cancellationToken)
    {
        await client.ReplaceAsync(type, ns, name, value, new WriteOptions { FieldManager = fieldManager }, null, cancellationToken).ConfigureAwait(false);
        Record(type, "update", ns, name);
    }

    /// <summary>A JSON Patch guarded by a <c>test</c> on the resourceVersion the decision was made from.</summary>
    public async Task PatchJsonAsync(ResourceType type, string ns, string name, string? resourceVersion, JsonArray operations, CancellationToken cancellationToken)
    {
        var guarded = new JsonArray(new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = resourceVersion });
        foreach (var operation in operations)
        {
            guarded.Add(operation?.DeepClone());
        }

        await client.PatchAsync(type, ns, name, new V1Patch(guarded, PatchType.JsonPatch), new WriteOptions { FieldManager = fieldManager }, null, cancellationToken).ConfigureAwait(false);
        Record(type, "patch", ns, name);
    }

    /// <summary>Deletes; with <paramref name="resourceVersion"/>, only the version the decision was made from (409 otherwise).</summary>
    public async Task DeleteAsync(ResourceType type, string ns, string name, CancellationToken cancellationToken, string? resourceVersion = null)
    {
        try
        {
            await client.DeleteAsync(type, ns, name, new DeleteOptions { PreconditionResourceVersion = resourceVersion }, cancellationToken).ConfigureAwait(false);
            Record(type, "delete", ns, name);
        }
        catch (KubernetesException e) when (e.IsNotFound)
        {
            // Already gone: the desired state holds.
        }
    }

    private static void AddDifference(JsonArray operations, string path, JsonNode? before, JsonNode? after)
    {
        if (JsonNode.DeepEquals(before, after))
        {
            return;
        }

        operations.Add(after is null
            ? new JsonObject { ["op"] = "remove", ["path"] = path }
            : new JsonObject { ["op"] = before is null ? "add" : "replace", ["path"] = path, ["value"] = after.DeepClone() });
    }

    /// <summary>The merge-patch map that turns one string map into the other (null values remove keys); null when equal.</summary>
    private static JsonObject? MapDifference(IReadOnlyDictionary<string, string>? before, IReadOnlyDictionary<string, string>? after)
    {
        var patch = new JsonObject();
        foreach (var (key, value) in after ?? new Dictionary<string, string>())
        {
            if (before?.GetValueOrDefault(key) != value)
            {
                patch[key] = value;
            }
        }

        foreach (var key in (before ?? new Dictionary<string, string>()).Keys.Where(k => after?.ContainsKey(k) != true))
        {
            patch[key] = null;
        }

        return patch.Count == 0 ? null : patch;
    }
}
