using MeshBridge.Controller.Caching;
using MeshBridge.Controller.Certificates;
using MeshBridge.Controller.Operations;
using MeshBridge.Controller.Reconcilers;
using MeshBridge.Controller.Writes;
using MeshBridge.Kubernetes.Caching;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Kubernetes.Queues;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller;

/// <summary>
/// The MeshBridge controller: informer caches, a deduplicating rate-limited queue of VirtualServer keys, and workers
/// that reconcile them (controller-runtime semantics: success forgets the key, an error or a conflict re-queues it
/// with per-key backoff, RequeueAfter re-adds it later). Changes to VirtualServerRoutes, Policies and NIC workloads
/// re-queue the VirtualServers they affect.
/// </summary>
public sealed class MeshController
{
    private readonly ClusterState state;
    private readonly VirtualServerReconciler reconciler;
    private readonly RateLimitingQueue<string> queue;
    private readonly ControllerOptions options;

    public const string Name = "virtualserver";

    private readonly ControllerMetrics? metrics;
    private readonly ILogger logger;
    private readonly EventRecorder events;
    private readonly ICertificateUpdates? updates;
    private readonly Action<MeshIdentity> onUpdated;

    public MeshController(KubernetesApi client, ControllerOptions options, ICertificateSource? certificates = null, ControllerMetrics? metrics = null, ILoggerFactory? loggerFactory = null)
    {
        logger = (loggerFactory ?? options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("MeshBridge.Controller");
        this.options = options;
        this.metrics = metrics;
        metrics?.RegisterController(Name, Math.Max(1, options.Workers));
        state = new ClusterState(client, options);
        Writer = new ObjectWriter(client, options.FieldManager, metrics, logger);
        events = new EventRecorder(client, $"{options.FieldManager}-{Environment.MachineName}", options.Time);
        queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(options.Time), options.Time, metrics?.ForQueue(Name));
        var servers = new VirtualServerIndex(
            keys =>
            {
                foreach (var key in keys)
                {
                    queue.Add(key);
                }
            },
            s => state.NamespaceSelected(s.Metadata.Namespace() ?? string.Empty));
        var routeHosts = new HostIndex<VirtualServerRoute>(r => r.Spec?.Host);
        var nics = new NicWorkloads(options.IngressWorkload);
        reconciler = new VirtualServerReconciler(state, servers, routeHosts, nics, Writer, events, certificates ?? new NoCertificateSource(), options, logger);

        // A certificate pushed to the source (SDS: a rotation, a new root) goes to its users' Secrets at once.
        updates = certificates as ICertificateUpdates;
        onUpdated = identity =>
        {
            foreach (var key in reconciler.UsersOf(identity))
            {
                queue.Add(key);
            }
        };

        // The indexes first: a handler that enqueues runs after them, so a reconcile always sees them up to date.
        state.VirtualServers.AddHandler(servers);
        state.VirtualServerRoutes.AddHandler(routeHosts);
        state.VirtualServers.AddHandler(new Enqueue<VirtualServer>(this, o => [Key(o)], (o, requeue) => Writer.IsOwnWrite(ResourceTypes.VirtualServers, o, requeue)));
        state.VirtualServerRoutes.AddHandler(new Enqueue<VirtualServerRoute>(this, o => servers.Hosts.On(o.Spec?.Host), (o, requeue) => Writer.IsOwnWrite(ResourceTypes.VirtualServerRoutes, o, requeue)));
        state.Policies.AddHandler(new Enqueue<Policy>(this, o => state.VirtualServers.Keys(o.Metadata.Namespace()).Select(k => ObjectKeys.Of(k.Namespace, k.Name))));
        state.OwnedSecrets.AddHandler(new Enqueue<GenericObject>(this, o =>
            EgressMtlsPolicyBuilder.PolicyNameOfSecret(o.Metadata.Name) is { } policy
                ? servers.PolicyUsers(new ResourceKey(Policy.KubeKind, o.Metadata.Namespace() ?? string.Empty, policy))
                : []));

        // Enrollment is per NIC instance, so a NIC workload's change concerns every VirtualServer; other workloads none.
        void EnqueueAll()
        {
            foreach (var (ns, name) in state.VirtualServers.Keys())
            {
                queue.Add(ObjectKeys.Of(ns, name));
            }
        }

        // Facts every decision depends on: NIC's IngressClasses, the mesh's trust domain, the API server's addresses.
        state.IngressClasses.AddHandler(new OnChange<GenericObject>((_, _) => EnqueueAll()));
        state.IstioConfigMaps.AddHandler(new OnChange<GenericObject>((_, _) => EnqueueAll()));
        state.ApiServerService.AddHandler(new OnChange<GenericObject>((_, _) => EnqueueAll()));
        state.ApiServerEndpoints.AddHandler(new OnChange<GenericObject>((_, _) => EnqueueAll()));

        // A namespace's labels decide whether its VirtualServers are selected, and NIC's namespace's its revision.
        state.Namespaces.AddHandler(new OnChange<GenericObject>((before, after) =>
        {
            var ns = (after ?? before)!.Metadata.Name ?? string.Empty;
            if (nics.List().Any(w => w.Metadata.Namespace() == ns))
            {
                EnqueueAll();
            }

            foreach (var server in state.VirtualServers.List(ns))
            {
                servers.Refresh(server);
                queue.Add(Key(server));
            }
        }));
        state.Deployments.AddHandler(nics.For("Deployment", EnqueueAll, (w, requeue) => Writer.IsOwnWrite(ResourceTypes.Deployments, w, requeue)));
        state.DaemonSets.AddHandler(nics.For("DaemonSet", EnqueueAll, (w, requeue) => Writer.IsOwnWrite(ResourceTypes.DaemonSets, w, requeue)));
        state.StatefulSets.AddHandler(nics.For("StatefulSet", EnqueueAll, (w, requeue) => Writer.IsOwnWrite(ResourceTypes.StatefulSets, w, requeue)));
    }

    public ObjectWriter Writer { get; }

    public bool HasSynced => state.HasSynced;

    /// <summary>Keys queued or being processed, and Events not yet written; zero when converged (retries scheduled for later do not count).</summary>
    public int Pending => queue.Length + busy + events.Backlog;

    public long Reconciles => reconciles;

    private int busy;
    private long reconciles;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (updates is not null)
        {
            updates.Updated += onUpdated;
        }

        try
        {
            await RunControllerAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A controller that stopped (lost its lease) must not keep the source's handler: the next one adds its own.
            if (updates is not null)
            {
                updates.Updated -= onUpdated;
            }
        }
    }

    private async Task RunControllerAsync(CancellationToken cancellationToken)
    {
        var informers = state.RunAsync(cancellationToken);
        var recorder = events.RunAsync(cancellationToken);
        await state.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        var workers = Enumerable.Range(0, Math.Max(1, options.Workers)).Select(_ => WorkAsync(cancellationToken)).ToList();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            queue.ShutDown();
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        await recorder.ConfigureAwait(false);
        await informers.ConfigureAwait(false);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (key, shutdown) = await queue.GetAsync(CancellationToken.None).ConfigureAwait(false);
            if (shutdown)
            {
                return;
            }

            Interlocked.Increment(ref busy);
            metrics?.WorkerStarted(Name);
            var started = options.Time.GetTimestamp();
            ReconcileResult? outcome = null;
            Exception? failure = null;
            try
            {
                var (ns, name) = ObjectKeys.Split(key);
                var result = await reconciler.ReconcileAsync(ns, name, cancellationToken).ConfigureAwait(false);
                outcome = result;
                queue.Forget(key);
                if (result.RequeueAfter is { } delay)
                {
                    queue.AddAfter(key, delay);
                }
                else if (result.Requeue)
                {
                    queue.AddRateLimited(key);
                }
            }
            catch (Exception e) when (e is KubernetesException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // A conflict (409, or 422 from the resourceVersion test) or a transient failure: try again on fresh state.
                failure = e;
                ReconcileLog.Retrying(logger, key, e.Message);
                if (e is KubernetesException { StatusCode: System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.UnprocessableEntity } conflict)
                {
                    metrics?.RecordConflict(conflict.Reason ?? "Conflict");
                }

                queue.AddRateLimited(key);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is KubernetesException or HttpRequestException or OperationCanceledException)
            {
                // Shutting down (leadership lost, SIGTERM): the reconcile in flight is abandoned, whether its request was
                // cancelled or answered with a failure meanwhile; whoever runs next reconciles the key again.
            }
            finally
            {
                if (outcome is not null || failure is not null)
                {
                    metrics?.ReconcileCompleted(Name, ControllerMetrics.Classify(outcome ?? ReconcileResult.Done, failure), options.Time.GetElapsedTime(started));
                }

                metrics?.WorkerStopped(Name);
                Interlocked.Increment(ref reconciles);
                Interlocked.Decrement(ref busy);
                queue.Done(key);
            }
        }
    }

    private static string Key(KubernetesObject o) => ObjectKeys.Of(o);

    /// <summary>Calls back on a real change (add, delete, or an update to a new resourceVersion), not on a resync.</summary>
    private sealed class OnChange<T>(Action<T?, T?> changed) : IInformerHandler<T>
        where T : KubernetesObject
    {
        public void OnAdd(T obj) => changed(default, obj);

        public void OnUpdate(T oldObj, T newObj)
        {
            if (oldObj.Metadata.ResourceVersion != newObj.Metadata.ResourceVersion)
            {
                changed(oldObj, newObj);
            }
        }

        public void OnDelete(T obj) => changed(obj, default);
    }

    private sealed class Enqueue<T>(MeshController controller, Func<T, IEnumerable<string>> keys, Func<T, Action, bool>? ownWrite = null) : IInformerHandler<T>
    {
        public void OnAdd(T obj) => Add(obj);

        public void OnUpdate(T oldObj, T newObj)
        {
            if (ownWrite?.Invoke(newObj, () => { Add(oldObj); Add(newObj); }) == true)
            {
                return;
            }

            Add(oldObj);
            Add(newObj);
        }

        public void OnDelete(T obj) => Add(obj);

        private void Add(T obj)
        {
            foreach (var key in keys(obj))
            {
                controller.queue.Add(key);
            }
        }
    }
}
