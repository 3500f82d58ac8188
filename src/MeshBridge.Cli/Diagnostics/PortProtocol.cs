namespace MeshBridge.Cli.Diagnostics;

/// <summary>
/// The protocol Istio takes a Service port for (istio.io protocol selection): <c>appProtocol</c> first, else the port
/// name's prefix <c>&lt;protocol&gt;[-&lt;suffix&gt;]</c>, case-insensitive; anything else is undeclared (sniffed, or
/// under STRICT TLS without Istio ALPN: TCP proxying, reference/istio.md §8).
/// </summary>
internal static class PortProtocol
{
    public const string Undeclared = "undeclared";

    private static readonly string[] Known = ["http", "http2", "https", "grpc", "grpc-web", "mongo", "mysql", "redis", "tcp", "tls", "udp"];

    private static readonly string[] Http = ["http", "http2", "grpc", "grpc-web"];

    /// <summary>The declared protocol (lower case) and where it came from, or <see cref="Undeclared"/>.</summary>
    public static (string Protocol, bool IsHttp) Of(string? portName, string? appProtocol)
    {
        if (!string.IsNullOrEmpty(appProtocol))
        {
            var app = appProtocol.ToLowerInvariant() switch
            {
                "kubernetes.io/h2c" => "http2",
                "kubernetes.io/ws" or "kubernetes.io/wss" => "http",
                var other => other,
            };
            return (app, Http.Contains(app, StringComparer.Ordinal));
        }

        var name = portName?.ToLowerInvariant() ?? string.Empty;
        // grpc-web before grpc: "grpc-web" is itself a protocol, not grpc with the suffix "web".
        foreach (var protocol in Known.OrderByDescending(k => k.Length))
        {
            if (name == protocol || name.StartsWith(protocol + "-", StringComparison.Ordinal))
            {
                return (protocol, Http.Contains(protocol, StringComparer.Ordinal));
            }
        }

        return (Undeclared, false);
    }
}
