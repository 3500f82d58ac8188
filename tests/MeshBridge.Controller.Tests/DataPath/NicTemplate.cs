using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MeshBridge.Controller.Tests.DataPath;

/// <summary>What NIC would render for one VirtualServer: the nginx.conf text and the Secret files it references.</summary>
internal sealed record NicRendering(string Config, IReadOnlyDictionary<string, string> SecretFiles);

/// <summary>
/// The subset of NIC's OSS VirtualServer template (v5.5.4, reference/nic.md §4) that the egress-mtls data path depends
/// on, rendered from the objects as read back from the API server: one <c>upstream vs_&lt;ns&gt;_&lt;vs&gt;_&lt;upstream&gt;</c>
/// per upstream with a <c>server</c> line per endpoint; a <c>location</c> per route with <c>proxy_pass
/// http(s)://</c> (https when <c>tls.enable</c>), NIC's standard proxy headers, one <c>proxy_set_header</c> per
/// <c>requestHeaders.set</c> entry and <c>Host $host</c> unless one of them is a Host; the EgressMTLS directives of a
/// <c>spec.policies</c> Policy in the server context with NIC's defaults (<c>generateEgressMTLSConfig</c>), and its
/// Secrets written as NIC writes them (<c>&lt;ns&gt;-&lt;name&gt;</c>, a TLS Secret as certificate then key in one file).
/// Anything else in the VirtualServer that would change the rendering fails loudly rather than being skipped.
/// </summary>
internal static class NicTemplate
{
    /// <summary>NIC's defaults for fields an EgressMTLS Policy leaves out (policy.go generateEgressMTLSConfig, the CRD defaults).</summary>
    private const string DefaultProtocols = "TLSv1 TLSv1.1 TLSv1.2";
    private const string DefaultCiphers = "DEFAULT";
    private const int DefaultVerifyDepth = 1;

    private static readonly string[] StandardHeaders = ["Upgrade", "Connection", "X-Real-IP", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Proto"];

    /// <param name="virtualServer">The VirtualServer as the API server holds it.</param>
    /// <param name="policies">The Policies its <c>spec.policies</c> name, by name.</param>
    /// <param name="secrets">The Secrets of its namespace the Policies name, by name.</param>
    /// <param name="upstreamServers">For each upstream name, the <c>address:port</c> of each endpoint.</param>
    /// <param name="runDirectory">Where nginx keeps its pid, logs and temp files.</param>
    /// <param name="secretDirectory">NIC's <c>/etc/nginx/secrets</c>.</param>
    /// <param name="listenPort">The loopback port the server listens on (NIC: 80).</param>
    public static NicRendering Render(
        JsonObject virtualServer, IReadOnlyDictionary<string, JsonObject> policies, IReadOnlyDictionary<string, JsonObject> secrets,
        IReadOnlyDictionary<string, IReadOnlyList<string>> upstreamServers, string runDirectory, string secretDirectory, int listenPort)
    {
        var ns = Text(virtualServer["metadata"]?["namespace"]) ?? throw new InvalidOperationException("the VirtualServer has no namespace");
        var name = Text(virtualServer["metadata"]?["name"])!;
        var spec = virtualServer["spec"]!.AsObject();
        foreach (var unsupported in new[] { "tls", "gunzip", "externalDNS", "dos", "internalRoute", "http-snippets", "server-snippets" })
        {
            if (spec[unsupported] is not null)
            {
                throw new NotSupportedException($"NicTemplate does not render spec.{unsupported}");
            }
        }

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var conf = new StringBuilder();
        conf.AppendLine("# Rendered by the data-path test's NicTemplate from the API objects (reference/nic.md §4).");
        if (Environment.UserName == "root")
        {
            // NIC runs nginx as the nginx user; as root here, the workers keep root so they can use the 0600 files.
            conf.AppendLine("user root;");
        }

        conf.AppendLine(CultureInfo.InvariantCulture, $$"""
            worker_processes 1;
            pid {{runDirectory}}/nginx.pid;
            error_log {{runDirectory}}/error.log info;
            events { worker_connections 256; }
            http {
                access_log {{runDirectory}}/access.log;
                client_body_temp_path {{runDirectory}}/client_body;
                proxy_temp_path {{runDirectory}}/proxy;
                fastcgi_temp_path {{runDirectory}}/fastcgi;
                uwsgi_temp_path {{runDirectory}}/uwsgi;
                scgi_temp_path {{runDirectory}}/scgi;
                map $http_upgrade $vs_connection_header { default upgrade; '' close; }
            """);

        var upstreams = new Dictionary<string, (string Block, bool Tls)>(StringComparer.Ordinal);
        foreach (var upstream in (spec["upstreams"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var upstreamName = Text(upstream["name"])!;
            foreach (var unsupported in new[] { "type", "subselector", "use-cluster-ip", "backup", "sessionCookie", "lb-method", "keepalive", "healthCheck" })
            {
                if (upstream[unsupported] is not null)
                {
                    throw new NotSupportedException($"NicTemplate does not render upstreams[{upstreamName}].{unsupported}");
                }
            }

            var blockName = $"vs_{ns}_{name}_{upstreamName}";
            conf.AppendLine(CultureInfo.InvariantCulture, $"    upstream {blockName} {{");
            conf.AppendLine(CultureInfo.InvariantCulture, $"        zone {blockName} 256k;");
            var servers = upstreamServers.GetValueOrDefault(upstreamName) ?? [];
            if (servers.Count == 0)
            {
                // NIC's placeholder for an upstream without endpoints: requests get 502.
                conf.AppendLine("        server 127.0.0.1:8181 down;");
            }

            var maxFails = upstream["max-fails"]?.GetValue<int>() ?? 1;
            var failTimeout = Text(upstream["fail-timeout"]) ?? "10s";
            var maxConns = upstream["max-conns"]?.GetValue<int>() ?? 0;
            foreach (var server in servers)
            {
                conf.AppendLine(CultureInfo.InvariantCulture, $"        server {server} max_fails={maxFails} fail_timeout={failTimeout} max_conns={maxConns};");
            }

            conf.AppendLine("    }");
            upstreams[upstreamName] = (blockName, upstream["tls"]?["enable"]?.GetValue<bool>() == true);
        }

        conf.AppendLine("    server {");
        conf.AppendLine(CultureInfo.InvariantCulture, $"        listen 127.0.0.1:{listenPort};");
        conf.AppendLine(CultureInfo.InvariantCulture, $"        server_name {Text(spec["host"])};");
        foreach (var reference in (spec["policies"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var policyName = Text(reference["name"])!;
            if (Text(reference["namespace"]) is { } policyNs && policyNs != ns)
            {
                throw new NotSupportedException($"NicTemplate renders Policies of the VirtualServer's namespace only, not {policyNs}/{policyName}");
            }

            var policy = policies.GetValueOrDefault(policyName) ?? throw new InvalidOperationException($"spec.policies names {policyName}, which was not given");
            var egress = policy["spec"]?["egressMTLS"] as JsonObject ?? throw new NotSupportedException($"NicTemplate renders only egressMTLS Policies; {policyName} is another kind");
            EgressMtls(conf, egress, ns, secrets, secretDirectory, files);
        }

        foreach (var route in (spec["routes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            Location(conf, route, upstreams);
        }

        conf.AppendLine("    }");
        conf.AppendLine("}");
        return new NicRendering(conf.ToString(), files);
    }

    /// <summary>
    /// NIC's endpoints for an upstream, from EndpointSlices (use-cluster-ip off): the Service port whose <c>port</c>
    /// is the upstream's, then every ready address of the Service's slices with the slice port of the same name.
    /// </summary>
    public static IReadOnlyList<string> Endpoints(JsonObject service, IEnumerable<JsonObject> endpointSlices, int upstreamPort)
    {
        var serviceName = Text(service["metadata"]?["name"]);
        var port = (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(p => p["port"]?.GetValue<int>() == upstreamPort)
            ?? throw new InvalidOperationException($"Service {serviceName} has no port {upstreamPort}");
        var portName = Text(port["name"]) ?? string.Empty;
        var servers = new List<string>();
        foreach (var slice in endpointSlices.Where(s => Text(s["metadata"]?["labels"]?["kubernetes.io/service-name"]) == serviceName))
        {
            var slicePort = (slice["ports"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(p => (Text(p["name"]) ?? string.Empty) == portName);
            if (slicePort is null)
            {
                continue;
            }

            foreach (var endpoint in (slice["endpoints"] as JsonArray ?? []).OfType<JsonObject>().Where(e => e["conditions"]?["ready"]?.GetValue<bool>() != false))
            {
                servers.AddRange((endpoint["addresses"] as JsonArray ?? []).Select(a => $"{Text(a)}:{slicePort["port"]!.GetValue<int>()}"));
            }
        }

        return servers;
    }

    private static void EgressMtls(StringBuilder conf, JsonObject egress, string ns, IReadOnlyDictionary<string, JsonObject> secrets, string secretDirectory, IDictionary<string, string> files)
    {
        conf.AppendLine("        # EgressMTLS (spec.policies: server context)");
        if (Text(egress["tlsSecret"]) is { } tlsName)
        {
            var secret = SecretOfType(secrets, tlsName, "kubernetes.io/tls");
            var file = Path.Combine(secretDirectory, $"{ns}-{tlsName}");
            files[file] = Data(secret, "tls.crt") + "\n" + Data(secret, "tls.key");
            conf.AppendLine(CultureInfo.InvariantCulture, $"        proxy_ssl_certificate {file};");
            conf.AppendLine(CultureInfo.InvariantCulture, $"        proxy_ssl_certificate_key {file};");
        }

        if (Text(egress["trustedCertSecret"]) is { } caName)
        {
            var secret = SecretOfType(secrets, caName, "nginx.org/ca");
            var file = Path.Combine(secretDirectory, $"{ns}-{caName}");
            files[file] = Data(secret, "ca.crt");
            conf.AppendLine(CultureInfo.InvariantCulture, $"        proxy_ssl_trusted_certificate {file};");
        }

        conf.AppendLine(CultureInfo.InvariantCulture, $"        proxy_ssl_verify {OnOff(egress["verifyServer"]?.GetValue<bool>() ?? false)};");
        conf.AppendLine(CultureInfo.InvariantCulture, $"        proxy_ssl_verify_depth {egress["verifyDepth"]?.GetValue<int>() ?? DefaultVerifyDepth};");
        conf.AppendLine(CultureInfo.InvariantCulture, $"        proxy_ssl_protocols {Text(egress["protocols"]) ?? DefaultProtocols};");
        conf.AppendLine(CultureInfo.InvariantCulture, $"        proxy_ssl_ciphers {Text(egress["ciphers"]) ?? DefaultCiphers};");
        conf.AppendLine(CultureInfo.InvariantCulture, $"        proxy_ssl_session_reuse {OnOff(egress["sessionReuse"]?.GetValue<bool>() ?? true)};");
        conf.AppendLine(CultureInfo.InvariantCulture, $"        proxy_ssl_server_name {OnOff(egress["serverName"]?.GetValue<bool>() ?? false)};");
        conf.AppendLine(CultureInfo.InvariantCulture, $"        proxy_ssl_name {Text(egress["sslName"]) ?? "$proxy_host"};");
    }

    private static void Location(StringBuilder conf, JsonObject route, Dictionary<string, (string Block, bool Tls)> upstreams)
    {
        var path = Text(route["path"])!;
        foreach (var unsupported in new[] { "route", "splits", "matches", "errorPages", "policies", "location-snippets" })
        {
            if (route[unsupported] is not null)
            {
                throw new NotSupportedException($"NicTemplate does not render routes[{path}].{unsupported}");
            }
        }

        var action = route["action"] as JsonObject ?? throw new NotSupportedException($"routes[{path}] has no action");
        var proxy = action["proxy"] as JsonObject;
        var upstreamName = Text(action["pass"]) ?? Text(proxy?["upstream"]) ?? throw new NotSupportedException($"NicTemplate renders pass and proxy actions only (routes[{path}])");
        if (proxy?["responseHeaders"] is not null)
        {
            throw new NotSupportedException($"NicTemplate does not render routes[{path}].action.proxy.responseHeaders");
        }

        var (block, tls) = upstreams.GetValueOrDefault(upstreamName);
        if (block is null)
        {
            throw new InvalidOperationException($"routes[{path}] names upstream {upstreamName}, which the VirtualServer does not declare");
        }

        conf.AppendLine(CultureInfo.InvariantCulture, $"        location {path} {{");
        if (Text(proxy?["rewritePath"]) is { } rewrite)
        {
            conf.AppendLine(CultureInfo.InvariantCulture, $"            rewrite ^{path}(.*)$ {rewrite}$1 break;");
        }

        var set = (proxy?["requestHeaders"]?["set"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(h => (Name: Text(h["name"])!, Value: Text(h["value"]) ?? string.Empty)).ToList();
        bool UserSets(string header) => set.Any(h => string.Equals(h.Name, header, StringComparison.OrdinalIgnoreCase));
        conf.AppendLine("            proxy_http_version 1.1;");
        var standard = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Upgrade"] = "$http_upgrade",
            ["Connection"] = "$vs_connection_header",
            ["X-Real-IP"] = "$remote_addr",
            ["X-Forwarded-For"] = "$proxy_add_x_forwarded_for",
            ["X-Forwarded-Host"] = "$host",
            ["X-Forwarded-Port"] = "$server_port",
            ["X-Forwarded-Proto"] = "$scheme",
        };
        foreach (var header in StandardHeaders.Where(h => !UserSets(h)))
        {
            conf.AppendLine(CultureInfo.InvariantCulture, $"            proxy_set_header {header} {standard[header]};");
        }

        foreach (var (headerName, value) in set)
        {
            conf.AppendLine(CultureInfo.InvariantCulture, $"            proxy_set_header {headerName} \"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\";");
        }

        if (!UserSets("Host"))
        {
            conf.AppendLine("            proxy_set_header Host $host;");
        }

        var passHeaders = proxy?["requestHeaders"]?["pass"]?.GetValue<bool>() ?? true;
        conf.AppendLine(CultureInfo.InvariantCulture, $"            proxy_pass_request_headers {OnOff(passHeaders)};");
        conf.AppendLine(CultureInfo.InvariantCulture, $"            proxy_pass {(tls ? "https" : "http")}://{block};");
        conf.AppendLine("        }");
    }

    private static JsonObject SecretOfType(IReadOnlyDictionary<string, JsonObject> secrets, string name, string type)
    {
        var secret = secrets.GetValueOrDefault(name) ?? throw new InvalidOperationException($"Secret {name} was not given (NIC would reject the Policy)");
        return Text(secret["type"]) == type ? secret : throw new InvalidOperationException($"Secret {name} is of type {Text(secret["type"])}, not {type} (NIC would reject the Policy)");
    }

    private static string Data(JsonObject secret, string key) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(Text(secret["data"]?[key]) ?? throw new InvalidOperationException($"Secret {Text(secret["metadata"]?["name"])} has no {key}")));

    private static string OnOff(bool value) => value ? "on" : "off";

    private static string? Text(JsonNode? node) => node?.GetValue<string>();
}
