using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Transform;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Reconcilers;

/// <summary>
/// Writes events.k8s.io/v1 Events about an object, once per distinct (reason, message) per object, so a resync does
/// not repeat them (reference/kube-api.md §10: eventTime, qualified reportingController, action, reason). As
/// client-go's recorder does, recording never blocks a reconcile: Events queue for a sender of their own (see
/// <see cref="RunAsync"/>), and when too many are waiting new ones are dropped — an Event is best effort.
/// </summary>
public sealed class EventRecorder(KubernetesApi client, string instance, TimeProvider time)
{
    private const string Controller = "meshbridge.io/controller";
    private const int Capacity = 4096;
    private readonly ConcurrentDictionary<(ResourceKey, string), byte> sent = new();
    private readonly Channel<(ResourceKey Regarding, string Text, JsonObject Event)> pending =
        Channel.CreateBounded<(ResourceKey, string, JsonObject)>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private int backlog;

    /// <summary>Events recorded and not yet written (or given up on).</summary>
    public int Backlog => Volatile.Read(ref backlog);

    /// <summary>Queues an Event for the sender; returns at once.</summary>
    public void Record(ResourceKey regarding, string apiVersion, string type, string reason, string message)
    {
        var text = $"{reason}\n{message}";
        if (!sent.TryAdd((regarding, text), 0))
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
        Interlocked.Increment(ref backlog);
        if (!pending.Writer.TryWrite((regarding, text, e)))
        {
            Interlocked.Decrement(ref backlog);
            sent.TryRemove((regarding, text), out _);
        }
    }

    /// <summary>Sends queued Events until cancelled, then flushes what is queued (for two seconds at most).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await pending.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await SendQueuedAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await SendQueuedAsync(flush.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (flush.IsCancellationRequested)
            {
                // Whatever is still queued is dropped.
            }
        }
    }

    private async Task SendQueuedAsync(CancellationToken cancellationToken)
    {
        while (pending.Reader.TryRead(out var item))
        {
            try
            {
                await client.CreateAsync(ResourceTypes.Events, item.Regarding.Namespace, item.Event, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KubernetesException or HttpRequestException)
            {
                // Best effort, as in client-go's recorder: a lost Event never fails a reconcile; it may be said again.
                sent.TryRemove((item.Regarding, item.Text), out _);
            }
            finally
            {
                Interlocked.Decrement(ref backlog);
            }
        }
    }
}
