using System.Globalization;
using System.Text.Json;
using MeshBridge.Controller.Caching;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>The per-upstream checks: Service and port, declared protocol, effective PeerAuthentication, Host header and the XFCC identity.</summary>
internal static partial class MeshChecks
{
    private static UpstreamReport Upstream(Upstream upstream, VirtualServer server, string ns, MeshMode mode, ClusterSnapshot snapshot, string? nicSpiffeId, Problems problems)
    {
        var upstreamName = upstream.Name ?? string.Empty;
        var subject = $"upstream {upstreamName}";
        var serviceKey = ServiceKey(upstream.Service, ns);
        var report = new UpstreamReport { Name = upstreamName, Service = serviceKey, Port = upstream.Port, HostHeader = HostHeader(server, upstreamName) };
        if (mode == MeshMode.None)
        {
            return report;
        }

        if (mode.UsesClusterIP() && upstream.UseClusterIP != true)
        {
            problems.Add(ProblemCodes.UpstreamNotMeshed, ProblemSeverity.Error, subject, $"mode {mode.ToName()} sends NIC's traffic to the Service's cluster IP, but use-cluster-ip is not true");
        }
        else if (mode == MeshMode.EgressMtls && upstream.Tls?.Enable != true)
        {
            problems.Add(ProblemCodes.UpstreamNotMeshed, ProblemSeverity.Error, subject, "egress-mtls needs tls.enable: true on the upstream, but it is not set");
        }

        if (mode.UsesClusterIP() && report.HostHeader is null)
        {
            problems.Add(ProblemCodes.HostHeaderMissing, ProblemSeverity.Error, subject, "no route sets the Host header Istio routes on (requestHeaders.set Host)");
        }

        if (serviceKey is null || !snapshot.Services.TryGetValue(serviceKey, out var service))
        {
            problems.Add(ProblemCodes.ServiceNotFound, ProblemSeverity.Error, subject, $"Service {serviceKey ?? "(none named)"} does not exist");
            return report with { XfccNote = "no Service" };
        }

        report = report with { ServiceFound = true };
        var spec = service.Extra?.GetValueOrDefault("spec");
        var port = spec is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty("ports", out var ports) && ports.ValueKind == JsonValueKind.Array
            ? ports.EnumerateArray().FirstOrDefault(p => p.TryGetProperty("port", out var n) && n.TryGetInt32(out var v) && v == upstream.Port)
            : default;
        if (port.ValueKind != JsonValueKind.Object)
        {
            problems.Add(ProblemCodes.ServicePortNotFound, ProblemSeverity.Error, subject, $"Service {serviceKey} has no port {upstream.Port?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}");
            return report with { XfccNote = "no such Service port" };
        }

        var portName = port.TryGetProperty("name", out var pn) ? pn.GetString() : null;
        var appProtocol = port.TryGetProperty("appProtocol", out var ap) ? ap.GetString() : null;
        var (protocol, isHttp) = PortProtocol.Of(portName, appProtocol);
        int? targetPort = port.TryGetProperty("targetPort", out var tp) ? (tp.ValueKind == JsonValueKind.Number ? tp.GetInt32() : null) : upstream.Port;
        var targetText = port.TryGetProperty("targetPort", out var tpt) ? tpt.ToString() : upstream.Port?.ToString(CultureInfo.InvariantCulture);
        var serviceNamespace = serviceKey[..serviceKey.IndexOf('/', StringComparison.Ordinal)];
        var selector = spec is { } sp && sp.TryGetProperty("selector", out var sel) && sel.ValueKind == JsonValueKind.Object
            ? sel.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal)
            : null;
        report = report with { PortName = portName, AppProtocol = appProtocol, Protocol = protocol, ProtocolDeclaredHttp = isHttp, TargetPort = targetText };

        if (!isHttp && mode != MeshMode.Ambient)
        {
            var found = protocol == PortProtocol.Undeclared ? $"port {upstream.Port} (name \"{portName}\", no appProtocol) declares no protocol" : $"port {upstream.Port} is declared {protocol}, not HTTP";
            problems.Add(ProblemCodes.PortProtocolUndeclared, mode == MeshMode.EgressMtls ? ProblemSeverity.Error : ProblemSeverity.Warning, $"Service {serviceKey}",
                mode == MeshMode.EgressMtls
                    ? $"{found}: under STRICT the sidecar terminates NGINX's TLS and proxies TCP, so the backend gets no XFCC and no HTTP policy applies"
                    : $"{found}: Istio falls back to protocol sniffing; declare it so the backend's sidecar treats it as HTTP and adds XFCC");
        }

        string? paMode = null;
        string? paSource = null;
        if (snapshot.PeerAuthentications is null)
        {
            problems.Add(ProblemCodes.PeerAuthenticationNotServed, ProblemSeverity.Warning, subject, "the cluster serves no security.istio.io PeerAuthentication (v1 or v1beta1)");
        }
        else
        {
            (paMode, paSource) = PeerAuthenticationResolver.Resolve(snapshot.PeerAuthentications, snapshot.IstioNamespace, serviceNamespace, selector, targetPort);
            if (mode == MeshMode.EgressMtls && paMode != PeerAuthenticationResolver.Strict)
            {
                problems.Add(ProblemCodes.PeerAuthenticationNotStrict, ProblemSeverity.Error, $"Service {serviceKey}",
                    $"egress-mtls needs STRICT mTLS at the backend, but it is {paMode} ({paSource})");
            }
            else if (mode.UsesClusterIP() && paMode == PeerAuthenticationResolver.Disable)
            {
                problems.Add(ProblemCodes.PeerAuthenticationDisabled, ProblemSeverity.Error, $"Service {serviceKey}",
                    $"mTLS is DISABLE at the backend ({paSource}): NIC's traffic arrives in plaintext and carries no identity");
            }
        }

        var (xfcc, note) = mode switch
        {
            MeshMode.Ambient => ((string?)null, "none: ztunnel works at L4 and adds no XFCC without a waypoint (reference/istio.md §7)"),
            _ when !isHttp => (null, "none: the port is not declared HTTP, so the sidecar proxies TCP"),
            MeshMode.EgressMtls when paMode != PeerAuthenticationResolver.Strict => (null, "none: the backend does not terminate NGINX's mTLS unless STRICT"),
            MeshMode.Sidecar when paMode == PeerAuthenticationResolver.Disable => (null, "none: mTLS is disabled at the backend"),
            _ => (nicSpiffeId, nicSpiffeId is null ? "none: no NIC instance" : "the URI= of the last XFCC element"),
        };
        return report with { PeerAuthentication = paMode, PeerAuthenticationSource = paSource, XfccIdentity = xfcc, XfccNote = note };
    }

    /// <summary>The Host the routes set for this upstream (<c>requestHeaders.set</c> of a proxy action).</summary>
    private static string? HostHeader(VirtualServer server, string upstream)
    {
        foreach (var action in Actions(server.Spec?.Routes))
        {
            if (action.Proxy is { } proxy && proxy.Upstream == upstream &&
                proxy.RequestHeaders?.Set?.FirstOrDefault(h => string.Equals(h.Name, "Host", StringComparison.OrdinalIgnoreCase)) is { Value: { } host })
            {
                return host;
            }
        }

        return null;
    }

    /// <summary>The four places an action sits in a route (reference/nic.md §1).</summary>
    private static IEnumerable<RouteAction> Actions(IReadOnlyList<Route>? routes)
    {
        foreach (var route in routes ?? [])
        {
            var actions = new List<RouteAction?> { route.Action };
            actions.AddRange((route.Splits ?? []).Select(s => s.Action));
            foreach (var match in route.Matches ?? [])
            {
                actions.Add(match.Action);
                actions.AddRange((match.Splits ?? []).Select(s => s.Action));
            }

            foreach (var action in actions.OfType<RouteAction>())
            {
                yield return action;
            }
        }
    }
}
