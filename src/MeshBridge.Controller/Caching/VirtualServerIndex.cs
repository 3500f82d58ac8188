using MeshBridge.Kubernetes.Caching;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Controller.Caching;

/// <summary>
/// What the cached VirtualServers ask for, kept up to date from informer events so a reconcile never lists the
/// cache: the VirtualServers on each host, how many ask for each mode on each ingress class (with their keys), and
/// which VirtualServers reference each Policy. A reconcile passes these to the transform as summaries
/// (<see cref="PeerServers"/>, <see cref="TransformInput.PolicyReferencesElsewhere"/>), so it costs the same with
/// ten VirtualServers or ten thousand.
/// </summary>
public sealed class VirtualServerIndex : IInformerHandler<VirtualServer>
{
    private const int Examples = 5;

    private readonly object gate = new();
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Class, MeshMode Mode), SortedSet<string>> asks = [];
    private readonly Dictionary<ResourceKey, HashSet<string>> policyUsers = [];
    private readonly Action<IReadOnlyCollection<string>>? onConflictChanged;
    private readonly Func<VirtualServer, bool> tracked;

    /// <param name="onConflictChanged">
    /// Called (on the informer's loop) with every VirtualServer that may share a NIC instance with one whose mode
    /// changed, when that change starts or ends an enrollment conflict: each of them must be reconciled again, to
    /// report the conflict or to converge once it is gone.
    /// </param>
    /// <param name="tracked">Whether a VirtualServer counts at all (its namespace is selected); false ones are left out of the summaries.</param>
    public VirtualServerIndex(Action<IReadOnlyCollection<string>>? onConflictChanged = null, Func<VirtualServer, bool>? tracked = null)
    {
        this.onConflictChanged = onConflictChanged;
        this.tracked = tracked ?? (_ => true);
        Hosts = new HostIndex<VirtualServer>(s => s.Spec?.Host);
    }

    public HostIndex<VirtualServer> Hosts { get; }

    /// <summary>The mode asks of every indexed VirtualServer but <paramref name="excluded"/>, on the classes <paramref name="handled"/> admits.</summary>
    public IReadOnlyList<PeerServers> Peers(IReadOnlyCollection<string> excluded, Func<string?, bool> handled)
    {
        lock (gate)
        {
            var peers = new List<PeerServers>();
            foreach (var ((ingressClass, mode), keys) in asks)
            {
                if (!handled(ingressClass))
                {
                    continue;
                }

                var count = keys.Count - excluded.Count(keys.Contains);
                if (count > 0)
                {
                    var examples = keys.Where(k => !excluded.Contains(k)).Take(Examples).Select(ToServerKey).ToList();
                    peers.Add(new PeerServers(ingressClass, mode, count, examples));
                }
            }

            return peers;
        }
    }

    /// <summary>The Policies in these namespaces that a VirtualServer other than <paramref name="excluded"/> references.</summary>
    public IReadOnlySet<ResourceKey> PolicyReferences(IReadOnlyCollection<string> namespaces, IReadOnlyCollection<string> excluded)
    {
        lock (gate)
        {
            return policyUsers.Where(p => namespaces.Contains(p.Key.Namespace) && p.Value.Any(k => !excluded.Contains(k))).Select(p => p.Key).ToHashSet();
        }
    }

    /// <summary>The VirtualServers referencing a Policy (<c>namespace/name</c> keys).</summary>
    public IReadOnlyList<string> PolicyUsers(ResourceKey policy)
    {
        lock (gate)
        {
            return policyUsers.TryGetValue(policy, out var users) ? [.. users] : [];
        }
    }

    public void OnAdd(VirtualServer obj) => Change(null, obj);

    public void OnUpdate(VirtualServer oldObj, VirtualServer newObj) => Change(oldObj, newObj);

    public void OnDelete(VirtualServer obj) => Change(obj, null);

    /// <summary>Re-evaluates a VirtualServer whose standing changed without it changing (its namespace's labels).</summary>
    public void Refresh(VirtualServer obj) => Change(obj, obj);

    private void Change(VirtualServer? before, VirtualServer? after)
    {
        Hosts.Change(before, after);
        var key = ObjectKeys.Of((before ?? after)!);
        IReadOnlyCollection<string>? fanOut = null;
        lock (gate)
        {
            var old = entries.GetValueOrDefault(key);
            var next = after is null || !tracked(after) ? null : Entry.Of(after);
            var askChanged = old?.Ask != next?.Ask;
            var classes = new[] { old?.Ask?.Class, next?.Ask?.Class }.OfType<string>().Distinct().ToList();
            var conflictedBefore = askChanged && Conflicted(classes);
            if (old is not null)
            {
                Remove(key, old);
            }

            if (next is not null)
            {
                Add(key, next);
            }

            if (askChanged && (conflictedBefore || Conflicted(classes)))
            {
                fanOut = asks.Where(a => classes.Any(c => Shares(c, a.Key.Class))).SelectMany(a => a.Value).ToHashSet(StringComparer.Ordinal);
            }
        }

        if (fanOut is { Count: > 0 })
        {
            onConflictChanged?.Invoke(fanOut);
        }
    }

    /// <summary>Whether VirtualServers sharing an instance with one of these classes ask for more than one meshed mode.</summary>
    private bool Conflicted(IEnumerable<string> classes) =>
        classes.Any(c => asks.Where(a => a.Key.Mode != MeshMode.None && Shares(c, a.Key.Class)).Select(a => a.Key.Mode).Distinct().Skip(1).Any());

    private void Add(string key, Entry entry)
    {
        entries[key] = entry;
        if (entry.Ask is { } ask)
        {
            if (!asks.TryGetValue(ask, out var keys))
            {
                asks[ask] = keys = new SortedSet<string>(StringComparer.Ordinal);
            }

            keys.Add(key);
        }

        foreach (var policy in entry.Policies)
        {
            if (!policyUsers.TryGetValue(policy, out var users))
            {
                policyUsers[policy] = users = new HashSet<string>(StringComparer.Ordinal);
            }

            users.Add(key);
        }
    }

    private void Remove(string key, Entry entry)
    {
        entries.Remove(key);
        if (entry.Ask is { } ask && asks.TryGetValue(ask, out var keys))
        {
            keys.Remove(key);
            if (keys.Count == 0)
            {
                asks.Remove(ask);
            }
        }

        foreach (var policy in entry.Policies)
        {
            if (policyUsers.TryGetValue(policy, out var users))
            {
                users.Remove(key);
                if (users.Count == 0)
                {
                    policyUsers.Remove(policy);
                }
            }
        }
    }

    private static bool Shares(string a, string b) => a.Length == 0 || b.Length == 0 || a == b;

    private static ResourceKey ToServerKey(string key)
    {
        var (ns, name) = ObjectKeys.Split(key);
        return new ResourceKey(VirtualServer.KubeKind, ns, name);
    }

    private sealed record Entry((string Class, MeshMode Mode)? Ask, IReadOnlyList<ResourceKey> Policies)
    {
        public static Entry Of(VirtualServer server)
        {
            var ns = server.Metadata.Namespace() ?? string.Empty;
            (string, MeshMode)? ask = MeshModes.TryParse(server.Metadata.Annotation(MeshAnnotations.Mode), out var mode)
                ? (server.Spec?.IngressClassName ?? string.Empty, mode)
                : null;
            var policies = (server.Spec?.Policies ?? [])
                .Select(p => new ResourceKey(Policy.KubeKind, string.IsNullOrEmpty(p.Namespace) ? ns : p.Namespace, p.Name ?? string.Empty))
                .Distinct()
                .ToList();
            return new Entry(ask, policies);
        }
    }
}
