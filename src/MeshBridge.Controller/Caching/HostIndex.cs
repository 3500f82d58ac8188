using MeshBridge.Kubernetes.Caching;
using MeshBridge.Transform.Model;

namespace MeshBridge.Controller.Caching;

/// <summary>
/// Keys (<c>namespace/name</c>) of cached objects by <c>spec.host</c>, kept up to date from informer events, so the
/// objects sharing a host are found without listing the cache.
/// </summary>
public sealed class HostIndex<T>(Func<T, string?> hostOf) : IInformerHandler<T>
    where T : KubernetesObject
{
    private readonly Dictionary<string, HashSet<string>> byHost = new(StringComparer.Ordinal);

    public IReadOnlyList<string> On(string? host)
    {
        lock (byHost)
        {
            return host is not null && byHost.TryGetValue(host, out var keys) ? [.. keys] : [];
        }
    }

    public void OnAdd(T obj) => Change(null, obj);

    public void OnUpdate(T oldObj, T newObj) => Change(oldObj, newObj);

    public void OnDelete(T obj) => Change(obj, null);

    /// <summary>One object changed: null <paramref name="before"/> is an add, null <paramref name="after"/> a delete.</summary>
    public void Change(T? before, T? after)
    {
        lock (byHost)
        {
            if (before is not null && hostOf(before) is { } oldHost && byHost.TryGetValue(oldHost, out var keys))
            {
                keys.Remove(ObjectKeys.Of(before));
                if (keys.Count == 0)
                {
                    byHost.Remove(oldHost);
                }
            }

            if (after is not null && hostOf(after) is { } newHost)
            {
                if (!byHost.TryGetValue(newHost, out var set))
                {
                    byHost[newHost] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.Add(ObjectKeys.Of(after));
            }
        }
    }
}
