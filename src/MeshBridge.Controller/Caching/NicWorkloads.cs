using MeshBridge.Kubernetes.Caching;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Controller.Caching;

/// <summary>
/// The NIC workloads among the cached Deployments, DaemonSets and StatefulSets — the named one when
/// <c>--ingress-workload</c> is given, else those recognised by NIC's image or flags — kept from informer events, so
/// a reconcile never scans every workload in the cluster and only a NIC workload's change re-queues VirtualServers.
/// </summary>
public sealed class NicWorkloads(WorkloadReference? named)
{
    private readonly Dictionary<(string Kind, string Key), Workload> nics = [];

    public IReadOnlyList<Workload> List()
    {
        lock (nics)
        {
            return [.. nics.OrderBy(n => n.Key.Kind, StringComparer.Ordinal).ThenBy(n => n.Key.Key, StringComparer.Ordinal).Select(n => n.Value)];
        }
    }

    /// <summary>
    /// The handler for one workload kind; <paramref name="changed"/> runs when a NIC workload of it changed, except
    /// for the version MeshBridge's own patch produced (<paramref name="ownWrite"/>).
    /// </summary>
    public IInformerHandler<Workload> For(string kind, Action changed, Func<Workload, Action, bool>? ownWrite = null) => new Handler(this, kind, changed, ownWrite);

    private bool IsNic(Workload workload) => named is { } reference
        ? workload.Kind == reference.Kind && workload.Metadata.Namespace() == reference.Namespace && workload.Metadata.Name == reference.Name
        : NicInstance.LooksLikeNic(workload);

    private sealed class Handler(NicWorkloads index, string kind, Action changed, Func<Workload, Action, bool>? ownWrite) : IInformerHandler<Workload>
    {
        public void OnAdd(Workload obj) => Change(null, obj);

        public void OnUpdate(Workload oldObj, Workload newObj) => Change(oldObj, newObj);

        public void OnDelete(Workload obj) => Change(obj, null);

        private void Change(Workload? before, Workload? after)
        {
            var key = (kind, ObjectKeys.Of((before ?? after)!));
            var next = after is null ? null : after with { Kind = kind };
            bool relevant;
            lock (index.nics)
            {
                relevant = index.nics.Remove(key);
                if (next is not null && index.IsNic(next))
                {
                    index.nics[key] = next;
                    relevant = true;
                }
            }

            if (relevant && !(before is not null && next is not null && ownWrite?.Invoke(next, changed) == true))
            {
                changed();
            }
        }
    }
}
