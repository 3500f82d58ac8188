using System.Globalization;
using System.Text.RegularExpressions;
using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>
/// The subset of NIC's own validation (kubernetes-ingress <c>pkg/apis/configuration/validation</c>, reference/nic.md
/// §3) that decides whether MeshBridge's output would be accepted. NIC has no admission webhook: a VirtualServer it
/// rejects silently loses all its routes, so MeshBridge refuses to emit one.
/// </summary>
internal static partial class NicValidation
{
    // actionProxyHeaderVariables in virtualserver.go.
    private static readonly HashSet<string> HeaderVariables = new(StringComparer.Ordinal)
    {
        "request_uri", "request_method", "request_body", "scheme", "args", "host", "request_time", "request_length",
        "nginx_version", "pid", "connection", "remote_addr", "remote_port", "time_iso8601", "time_local",
        "server_addr", "server_port", "server_name", "server_protocol", "connections_active", "connections_reading",
        "connections_writing", "connections_waiting", "ssl_cipher", "ssl_ciphers", "ssl_client_cert",
        "ssl_client_escaped_cert", "ssl_client_fingerprint", "ssl_client_i_dn", "ssl_client_i_dn_legacy",
        "ssl_client_raw_cert", "ssl_client_s_dn", "ssl_client_s_dn_legacy", "ssl_client_serial", "ssl_client_v_end",
        "ssl_client_v_remain", "ssl_client_v_start", "ssl_client_verify", "ssl_curves", "ssl_early_data",
        "ssl_protocol", "ssl_server_name", "ssl_session_id", "ssl_session_reused",
    };

    // actionProxyHeaderSpecialVariables; jwt_* are NGINX Plus only, and MeshBridge cannot tell OSS from Plus.
    private static readonly string[] HeaderVariablePrefixes = ["arg_", "http_", "cookie_", "jwt_claim_", "jwt_header_"];

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[-A-Za-z0-9]+$")]
    private static partial Regex HttpHeaderName();

    [GeneratedRegex(@"^([^""\\]|\\.)*$")]
    private static partial Regex EscapedHeaderValue();

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex VariableSuffix();

    public static bool IsDns1035Label(string? value) => value is { Length: > 0 and <= 63 } && Dns1035Label().IsMatch(value);

    public static bool IsDns1123Label(string? value) => value is { Length: > 0 and <= 63 } && Dns1123Label().IsMatch(value);

    public static void Upstreams(
        ResourceKey resource, IReadOnlyList<Upstream>? upstreams, MeshMode mode, DiagnosticBag bag)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (upstreams?.Count ?? 0); i++)
        {
            var upstream = upstreams![i];
            var path = $"spec.upstreams[{i}]";
            if (!IsDns1035Label(upstream.Name))
            {
                bag.Error(resource, $"{path}.name", DiagnosticReasons.InvalidUpstream,
                    $"\"{upstream.Name}\" is not a valid upstream name (a DNS-1035 label: lower-case letters, digits and '-', starting with a letter)");
            }
            else if (!seen.Add(upstream.Name!))
            {
                bag.Error(resource, $"{path}.name", DiagnosticReasons.InvalidUpstream, $"duplicate upstream name \"{upstream.Name}\"");
            }

            if (ServiceReference.Parse(upstream.Service) is null)
            {
                bag.Error(resource, $"{path}.service", DiagnosticReasons.InvalidUpstream,
                    $"\"{upstream.Service}\" is not a valid service reference (\"name\" or \"namespace/name\")");
            }

            if (upstream.Port is not (>= 1 and <= 65535))
            {
                var shown = upstream.Port?.ToString(CultureInfo.InvariantCulture) ?? "missing";
                bag.Error(resource, $"{path}.port", DiagnosticReasons.InvalidUpstream, $"port {shown} is not a service port between 1 and 65535");
            }

            if (mode.UsesClusterIP() && upstream.Subselector is not null)
            {
                bag.Error(resource, $"{path}.subselector", DiagnosticReasons.SubselectorWithClusterIP,
                    $"{mode.ToName()} mode needs use-cluster-ip, which NIC forbids together with subselector (\"subselector can't be used with use-cluster-ip\"); remove the subselector or use egress-mtls mode");
            }
        }
    }

    /// <summary>Checks every action of a route list. <paramref name="expectedHost"/> maps an upstream to the Host MeshBridge will set.</summary>
    public static void Actions(
        ResourceKey resource,
        IReadOnlyList<Route>? routes,
        string field,
        IReadOnlyDictionary<string, Upstream> upstreams,
        MeshMode mode,
        Func<Upstream, string?> expectedHost,
        DiagnosticBag bag)
    {
        foreach (var (action, site) in ActionSites.Enumerate(routes, field))
        {
            var kinds = new[] { action.Pass is not null, action.Proxy is not null, HasExtra(action, "redirect"), HasExtra(action, "return") }.Count(k => k);
            if (kinds != 1)
            {
                bag.Error(resource, site.FieldPath, DiagnosticReasons.InvalidAction, "an action must have exactly one of pass, redirect, return or proxy");
                continue;
            }

            if (action.Redirect() || action.Return())
            {
                continue;
            }

            var target = action.TargetUpstream;
            var targetPath = action.Pass is not null ? $"{site.FieldPath}.pass" : $"{site.FieldPath}.proxy.upstream";
            if (string.IsNullOrEmpty(target) || !upstreams.TryGetValue(target, out var upstream))
            {
                bag.Error(resource, targetPath, DiagnosticReasons.UnknownUpstream,
                    $"names upstream \"{target}\", which is not defined in spec.upstreams of this resource");
                continue;
            }

            var headers = action.Proxy?.RequestHeaders?.Set ?? [];
            for (var h = 0; h < headers.Count; h++)
            {
                Header(resource, $"{site.FieldPath}.proxy.requestHeaders.set[{h}]", headers[h], mode, expectedHost(upstream), bag);
            }
        }
    }

    private static void Header(ResourceKey resource, string path, HeaderValue header, MeshMode mode, string? expectedHost, DiagnosticBag bag)
    {
        if (header.Name is null || !HttpHeaderName().IsMatch(header.Name))
        {
            bag.Error(resource, $"{path}.name", DiagnosticReasons.InvalidHeader, $"\"{header.Name}\" is not a valid HTTP header name");
            return;
        }

        var value = header.Value ?? string.Empty;
        if (HeaderValueProblem(value) is { } problem)
        {
            bag.Error(resource, $"{path}.value", DiagnosticReasons.InvalidHeader, $"NIC rejects this header value: {problem}");
        }

        if (mode.UsesClusterIP() && expectedHost is not null && IsHost(header.Name) && value != expectedHost)
        {
            bag.Error(resource, $"{path}.value", DiagnosticReasons.HostHeaderConflict,
                $"Host is set to \"{value}\" but {mode.ToName()} mode needs \"{expectedHost}\" so that Istio routes to the Service; remove this header or set it to that value");
        }

        if (mode != MeshMode.None && IsClientCert(header.Name) && value.Length > 0)
        {
            bag.Error(resource, $"{path}.value", DiagnosticReasons.ClientCertHeaderSet,
                $"{MeshAnnotations.XForwardedClientCert} is set to a value; MeshBridge clears it so that the backend sees only NIC's mesh identity. Remove this header");
        }
    }

    /// <summary>NIC's <c>validateActionProxyHeader</c> rules for a value; null when NIC accepts it.</summary>
    public static string? HeaderValueProblem(string value)
    {
        if (!EscapedHeaderValue().IsMatch(value))
        {
            return "every '\"' must be escaped and the value must not end with an unescaped '\\'";
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '$')
            {
                continue;
            }

            if (i == value.Length - 1)
            {
                return "the value must not end with '$'";
            }

            if (value[i + 1] != '{')
            {
                return "'$' must start a variable written as ${name}";
            }

            var end = value.IndexOf('}', i + 2);
            if (end < 0)
            {
                return "'${' has no closing '}'";
            }

            var name = value[(i + 2)..end];
            if (!IsAllowedVariable(name))
            {
                return $"variable ${{{name}}} is not one NIC allows in headers";
            }

            i = end;
        }

        return null;
    }

    public static bool IsHost(string? headerName) => string.Equals(headerName, "Host", StringComparison.OrdinalIgnoreCase);

    public static bool IsClientCert(string? headerName) =>
        string.Equals(headerName, MeshAnnotations.XForwardedClientCert, StringComparison.OrdinalIgnoreCase);

    private static bool IsAllowedVariable(string name) =>
        HeaderVariables.Contains(name) ||
        HeaderVariablePrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal) && name.Length > p.Length && VariableSuffix().IsMatch(name[p.Length..]));

    private static bool HasExtra(RouteAction action, string key) => action.Extra?.ContainsKey(key) == true;

    private static bool Redirect(this RouteAction action) => HasExtra(action, "redirect");

    private static bool Return(this RouteAction action) => HasExtra(action, "return");
}
