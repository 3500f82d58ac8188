using System.Globalization;
using System.Net;

namespace MeshBridge.Controller.Operations;

/// <summary>A parsed bind address: a host (null for every interface) and a port.</summary>
internal sealed record BindAddress(IPAddress? Host, int Port)
{
    /// <summary>
    /// Parses controller-runtime's bind-address flag syntax; null means "serve nothing" (<c>"0"</c> or empty).
    /// Host names other than <c>localhost</c> are refused rather than resolved: a probe port bound to whatever a name
    /// resolved to at start-up is a surprise.
    /// </summary>
    public static BindAddress? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text is "" or "0")
        {
            return null;
        }

        var colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            throw new FormatException($"'{text}' is not a bind address: expected host:port, :port or 0");
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length == 0)
        {
            return new BindAddress(null, port);
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new BindAddress(IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(host, out var address)
            ? new BindAddress(address, port)
            : throw new FormatException($"'{text}' is not a bind address: the host must be an IP address, localhost or empty");
    }
}
