using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Transform;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Reconcilers;

/// <summary>
/// Writes events.k8s.io/v1 Events about an object, once per distinct (reason, message) per object, so a resync does
/// not repeat them (reference/kube-api.md §10: eventTime, qualified reportingController, action, reason).
/// </summary>
public sealed class EventRecorder(KubernetesApi client, string instance, TimeProvider time)
{
    private const string Controller = "meshbridge.io/controller";
    private readonly ConcurrentDictionary<(ResourceKey, string), byte> sent = new();

    public async Task RecordAsync(ResourceKey regarding, string apiVersion, string type, string reason, string message, CancellationToken cancellationToken)
    {
        if (!sent.TryAdd((regarding, $"{reason}\n{message}"), 0))
        {
            return;
        }

        var now = time.GetUtcNow();
        var e = new JsonObject
        {
            ["apiVersion"] = "events.k8s.io/v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["generateName"] = $"{regarding.Name}.", ["namespace"] = regarding.Namespace },
            ["eventTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            ["reportingController"] = Controller,
            ["reportingInstance"] = instance,
            ["action"] = "Reconcile",
            ["reason"] = reason,
            ["type"] = type,
            ["note"] = message.Length > 1024 ? message[..1021] + "..." : message,
            ["regarding"] = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = regarding.Kind, ["namespace"] = regarding.Namespace, ["name"] = regarding.Name },
        };
        try
        {
            await client.CreateAsync(ResourceTypes.Events, regarding.Namespace, e, null, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesException)
        {
            // Events are best effort, as in client-go's recorder: a lost event never fails a reconcile.
            sent.TryRemove((regarding, $"{reason}\n{message}"), out _);
        }
    }

    /// <summary>Forgets what was said about an object, so its next state is reported afresh.</summary>
    public void Forget(ResourceKey regarding)
    {
        foreach (var key in sent.Keys.Where(k => k.Item1 == regarding))
        {
            sent.TryRemove(key, out _);
        }
    }
}
