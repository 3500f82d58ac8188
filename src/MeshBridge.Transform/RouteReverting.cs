using MeshBridge.Transform.Model;
using static MeshBridge.Transform.AppliedRecord;

namespace MeshBridge.Transform;

/// <summary>
/// Undoes what <see cref="RouteMeshing"/> recorded, one change at a time and only where the field still holds what
/// MeshBridge wrote: a value the user changed since is the user's and stays.
/// </summary>
internal static class RouteReverting
{
    public static IReadOnlyList<Upstream>? Upstreams(IReadOnlyList<Upstream>? upstreams, Dictionary<string, UpstreamChange>? record)
    {
        if (upstreams is null || record is null)
        {
            return upstreams;
        }

        return upstreams.Select(u => u.Name is not null && record.TryGetValue(u.Name, out var change) ? Upstream(u, change) : u).ToList();
    }

    private static Upstream Upstream(Upstream upstream, UpstreamChange change)
    {
        if (change.UseClusterIP is not null && upstream.UseClusterIP == true)
        {
            upstream = upstream with { UseClusterIP = change.UseClusterIP == "false" ? false : null };
        }

        if (change.Tls is not null && upstream.Tls?.Enable == true)
        {
            var tls = upstream.Tls with { Enable = change.Tls == "false" ? false : null };
            var empty = tls.Enable is null && (tls.Extra is null || tls.Extra.Count == 0);
            upstream = upstream with { Tls = change.Tls == "absent" && empty ? null : tls };
        }

        return upstream;
    }

    public static RouteAction Action(RouteAction action, ActionSite site, Dictionary<string, ActionChange>? record)
    {
        if (record is null || !record.TryGetValue(site.RecordKey, out var change) || action.Proxy is null)
        {
            return action;
        }

        var created = change.Created ?? [];
        var proxy = action.Proxy;
        var requestHeaders = proxy.RequestHeaders;
        if (requestHeaders is not null)
        {
            var set = requestHeaders.Set?.ToList();
            if (set is not null)
            {
                RemoveFirst(set, h => change.Host is not null && NicValidation.IsHost(h.Name) && h.Value == change.Host);
                RemoveFirst(set, h => change.Xfcc == true && NicValidation.IsClientCert(h.Name) && string.IsNullOrEmpty(h.Value));
            }

            requestHeaders = requestHeaders with { Set = set is { Count: 0 } && created.Contains("set") ? null : set };
            var headersEmpty = requestHeaders.Set is null && requestHeaders.Pass is null && IsEmpty(requestHeaders.Extra);
            proxy = proxy with { RequestHeaders = headersEmpty && created.Contains("requestHeaders") ? null : requestHeaders };
        }

        var onlyUpstream = proxy.RewritePath is null && proxy.RequestHeaders is null && IsEmpty(proxy.Extra);
        if (created.Contains("proxy") && onlyUpstream)
        {
            return action with { Proxy = null, Pass = proxy.Upstream };
        }

        return action with { Proxy = proxy };
    }

    public static IReadOnlyList<PolicyReference>? Policies(
        IReadOnlyList<PolicyReference>? policies, PolicyChange? change, string resourceNamespace)
    {
        if (policies is null || change is null)
        {
            return policies;
        }

        var list = policies.ToList();
        RemoveFirst(list, p => p.Name == change.Name && (p.Namespace is null || p.Namespace == resourceNamespace));
        return list.Count == 0 && change.CreatedList == true ? null : list;
    }

    private static void RemoveFirst<T>(List<T> list, Func<T, bool> predicate)
    {
        var index = list.FindIndex(x => predicate(x));
        if (index >= 0)
        {
            list.RemoveAt(index);
        }
    }

    private static bool IsEmpty<TValue>(Dictionary<string, TValue>? extra) => extra is null || extra.Count == 0;
}
