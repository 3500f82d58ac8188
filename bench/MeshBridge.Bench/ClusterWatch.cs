using System.Diagnostics;
using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Transform;

namespace MeshBridge.Bench;

/// <summary>
/// What the benchmark observes, from watches on the lab's store (in process, so they add no API requests to the
/// counts): which VirtualServers ask for a mode and which carry <c>meshbridge.io/applied</c>, when each changed, and
/// the distinct objects written since <see cref="BeginPhase"/> among the kinds MeshBridge writes (Events aside).
/// </summary>
internal sealed class ClusterWatch : IDisposable
{
    private static readonly (string GroupVersion, string Plural)[] WrittenKinds =
    [
        ("k8s.nginx.org/v1", "virtualservers"), ("k8s.nginx.org/v1", "virtualserverroutes"), ("k8s.nginx.org/v1", "policies"),
        ("apps/v1", "deployments"), ("apps/v1", "daemonsets"), ("apps/v1", "statefulsets"), ("v1", "secrets"),
    ];

    private readonly object gate = new();
    private readonly string serversResource;
    private readonly Dictionary<StoreKey, Server> servers = [];
    private readonly Dictionary<StoreKey, (long After, TaskCompletionSource<long> Seen)> waiters = [];
    private readonly HashSet<StoreKey> changed = [];
    private readonly List<WatchSubscription> subscriptions = [];
    private readonly List<Task> readers = [];
    private int wanted;
    private int applied;

    public ClusterWatch(LabApiServer lab)
    {
        serversResource = StoreKey.ResourceId(lab.Catalog.Find("k8s.nginx.org/v1", "virtualservers")!);
        foreach (var (groupVersion, plural) in WrittenKinds)
        {
            var resource = lab.Catalog.Find(groupVersion, plural) ?? throw new InvalidOperationException($"the lab serves no {plural} in {groupVersion}");
            var subscription = lab.Store.Watch(StoreKey.ResourceId(resource), null, null, _ => true);
            subscriptions.Add(subscription);
            // The current objects arrive first, as ADDED: taken now, so the counts are right before anything runs.
            while (subscription.Events.TryRead(out var e))
            {
                Observe(e, replayed: true);
            }

            readers.Add(Task.Run(async () =>
            {
                await foreach (var e in subscription.Events.ReadAllAsync())
                {
                    Observe(e, replayed: false);
                }
            }));
        }
    }

    /// <summary>VirtualServers with a <c>meshbridge.io/mode</c> annotation.</summary>
    public int Wanted
    {
        get
        {
            lock (gate)
            {
                return wanted;
            }
        }
    }

    /// <summary>Of those, the ones carrying <c>meshbridge.io/applied</c>.</summary>
    public int Applied
    {
        get
        {
            lock (gate)
            {
                return applied;
            }
        }
    }

    public int VirtualServers
    {
        get
        {
            lock (gate)
            {
                return servers.Count;
            }
        }
    }

    /// <summary>Distinct objects created, changed or deleted since <see cref="BeginPhase"/>.</summary>
    public int ChangedObjects
    {
        get
        {
            lock (gate)
            {
                return changed.Count;
            }
        }
    }

    public void BeginPhase()
    {
        lock (gate)
        {
            changed.Clear();
        }
    }

    public StoreKey VirtualServerKey(string ns, string name) => new(serversResource, ns, name);

    /// <summary>
    /// Completes with the Stopwatch timestamp at which a version of the VirtualServer newer than <paramref name="after"/>
    /// carrying <c>meshbridge.io/applied</c> was seen.
    /// </summary>
    public Task<long> AppliedAfterAsync(StoreKey key, long after)
    {
        lock (gate)
        {
            if (servers.TryGetValue(key, out var known) && known.Applied && known.ResourceVersion > after)
            {
                return Task.FromResult(known.SeenAt);
            }

            var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters[key] = (after, seen);
            return seen.Task;
        }
    }

    public void Dispose()
    {
        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }

        Task.WhenAll(readers).Wait(TimeSpan.FromSeconds(10));
    }

    private void Observe(StoredEvent e, bool replayed)
    {
        var now = Stopwatch.GetTimestamp();
        lock (gate)
        {
            if (!replayed)
            {
                changed.Add(e.Key);
            }

            if (e.Key.Resource != serversResource)
            {
                return;
            }

            if (servers.Remove(e.Key, out var before))
            {
                wanted -= before.Wanted ? 1 : 0;
                applied -= before.Wanted && before.Applied ? 1 : 0;
            }

            if (e.Kind == WatchEventKind.Deleted)
            {
                return;
            }

            var annotations = e.Object["metadata"]?["annotations"] as JsonObject;
            var server = new Server(annotations?.ContainsKey(MeshAnnotations.Mode) == true, annotations?.ContainsKey(MeshAnnotations.Applied) == true, e.ResourceVersion, now);
            servers[e.Key] = server;
            wanted += server.Wanted ? 1 : 0;
            applied += server.Wanted && server.Applied ? 1 : 0;
            if (server.Applied && waiters.TryGetValue(e.Key, out var waiter) && e.ResourceVersion > waiter.After)
            {
                waiters.Remove(e.Key);
                waiter.Seen.TrySetResult(now);
            }
        }
    }

    private readonly record struct Server(bool Wanted, bool Applied, long ResourceVersion, long SeenAt);
}
