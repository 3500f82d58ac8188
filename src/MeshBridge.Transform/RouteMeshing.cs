using MeshBridge.Transform.Model;
using static MeshBridge.Transform.AppliedRecord;

namespace MeshBridge.Transform;

/// <summary>
/// What each mode changes on a VirtualServer's or VirtualServerRoute's upstreams and actions (DESIGN.md §2), and
/// the record of it. Input is the user's own form (already reverted); output is the meshed form.
/// <list type="bullet">
/// <item>sidecar/ambient: <c>use-cluster-ip: true</c>, so NGINX dials the Service IP and port the sidecar or ztunnel
/// knows; every action on the upstream becomes <c>proxy</c> with <c>Host: &lt;svc host&gt;</c>, the virtual host
/// Istio routes on (reference/nic.md §5).</item>
/// <item>egress-mtls: <c>tls.enable: true</c> (EgressMTLS does not turn TLS on by itself); pod IPs are kept.</item>
/// <item>every mode: <c>X-Forwarded-Client-Cert: ""</c>, because Istio's inbound sidecar uses APPEND_FORWARD and
/// would otherwise forward a client's forged header ahead of NIC's identity (reference/istio.md §6).</item>
/// </list>
/// </summary>
internal static class RouteMeshing
{
    public static IReadOnlyList<Upstream>? Upstreams(
        IReadOnlyList<Upstream>? upstreams, MeshMode mode, Dictionary<string, UpstreamChange> record)
    {
        return upstreams?.Select(u => Upstream(u, mode, record)).ToList();
    }

    private static Upstream Upstream(Upstream upstream, MeshMode mode, Dictionary<string, UpstreamChange> record)
    {
        var name = upstream.Name ?? string.Empty;
        if (mode.UsesClusterIP() && upstream.UseClusterIP != true)
        {
            record[name] = new UpstreamChange { UseClusterIP = upstream.UseClusterIP == false ? "false" : "absent" };
            return upstream with { UseClusterIP = true };
        }

        if (mode == MeshMode.EgressMtls && upstream.Tls?.Enable != true)
        {
            var was = upstream.Tls is null ? "absent" : upstream.Tls.Enable is null ? "unset" : "false";
            record[name] = new UpstreamChange { Tls = was };
            return upstream with { Tls = (upstream.Tls ?? new UpstreamTls()) with { Enable = true } };
        }

        return upstream;
    }

    /// <summary>
    /// Meshes one action. <paramref name="host"/> is the Host to set (null in egress-mtls mode, where NGINX keeps
    /// <c>$host</c>). A <c>pass</c> becomes a <c>proxy</c> with only <c>upstream</c>, which NIC renders to the same
    /// location (<c>generateLocationForProxying</c>), because <c>pass</c> cannot carry headers.
    /// </summary>
    public static RouteAction Action(RouteAction action, ActionSite site, string? host, Dictionary<string, ActionChange> record)
    {
        if (action.TargetUpstream is null)
        {
            return action;
        }

        var created = new List<string>();
        var proxy = action.Proxy;
        if (action.Pass is not null)
        {
            proxy = new ActionProxy { Upstream = action.Pass };
            created.Add("proxy");
        }

        var requestHeaders = proxy!.RequestHeaders;
        if (requestHeaders is null)
        {
            requestHeaders = new ProxyRequestHeaders();
            created.Add("requestHeaders");
        }

        if (requestHeaders.Set is null)
        {
            created.Add("set");
        }

        var set = requestHeaders.Set?.ToList() ?? [];
        string? addedHost = null;
        if (host is not null && !set.Any(h => NicValidation.IsHost(h.Name)))
        {
            set.Add(new HeaderValue { Name = "Host", Value = host });
            addedHost = host;
        }

        var addedXfcc = false;
        if (!set.Any(h => NicValidation.IsClientCert(h.Name)))
        {
            set.Add(new HeaderValue { Name = MeshAnnotations.XForwardedClientCert, Value = string.Empty });
            addedXfcc = true;
        }

        if (addedHost is null && !addedXfcc)
        {
            return action;
        }

        record[site.RecordKey] = new ActionChange
        {
            Host = addedHost,
            Xfcc = addedXfcc ? true : null,
            Created = created.Count > 0 ? created : null,
        };
        return action with
        {
            Pass = null,
            Proxy = proxy with { RequestHeaders = requestHeaders with { Set = set } },
        };
    }

    /// <summary>egress-mtls: reference the MeshBridge EgressMTLS Policy from <c>spec.policies</c> (server context).</summary>
    public static IReadOnlyList<PolicyReference> Policies(
        IReadOnlyList<PolicyReference>? policies, string policyName, string resourceNamespace, out PolicyChange? change)
    {
        var list = policies?.ToList() ?? [];
        if (list.Any(p => p.Name == policyName && (p.Namespace is null || p.Namespace == resourceNamespace)))
        {
            change = null;
            return list;
        }

        list.Add(new PolicyReference { Name = policyName });
        change = new PolicyChange { Name = policyName, CreatedList = policies is null ? true : null };
        return list;
    }
}
