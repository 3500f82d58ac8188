using System.Globalization;
using System.Net;
using System.Text;

namespace MeshBridge.Grpc;

/// <summary>
/// The wire rules of gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md and doc/http-grpc-status-mapping.md) as pure
/// functions, so each rule is tested on its own.
/// </summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";

    // grpc-timeout units, finest first: the finest unit whose value fits the spec's 8 digits keeps the most precision.
    private static readonly (char Unit, long Nanoseconds)[] TimeoutUnits =
    [
        ('n', 1),
        ('u', 1_000),
        ('m', 1_000_000),
        ('S', 1_000_000_000),
        ('M', 60_000_000_000),
        ('H', 3_600_000_000_000),
    ];

    /// <summary>
    /// Encodes a remaining time as <c>grpc-timeout</c>: "TimeoutValue → {positive integer as ASCII string of at most
    /// 8 digits}". Rounds up so the server never gives up before the client's own deadline.
    /// </summary>
    public static string EncodeTimeout(TimeSpan timeout)
    {
        var nanoseconds = Math.Max(1, timeout.Ticks) * 100;
        foreach (var (unit, size) in TimeoutUnits)
        {
            var value = (nanoseconds + size - 1) / size;
            if (value < 100_000_000)
            {
                return value.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return "99999999H";
    }

    /// <summary>
    /// The status for a response whose HTTP status is not 200, per doc/http-grpc-status-mapping.md: the response did
    /// not come from a gRPC server (a proxy, a plain HTTP endpoint), so only the HTTP status says anything.
    /// </summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>
    /// Decodes <c>grpc-message</c>: "Percent-Encoded" UTF-8. Malformed escapes are kept literally, as the spec asks
    /// receivers not to fail a call over its message.
    /// </summary>
    public static string DecodeMessage(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded) || !encoded.Contains('%', StringComparison.Ordinal))
        {
            return encoded ?? string.Empty;
        }

        var bytes = new List<byte>(encoded.Length);
        var literalStart = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length && IsHex(encoded[i + 1]) && IsHex(encoded[i + 2]))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(encoded[literalStart..i]));
                bytes.Add(byte.Parse(encoded.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
                literalStart = i + 1;
            }
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(encoded[literalStart..]));
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Reads a status from headers or trailers, or null when <c>grpc-status</c> is absent.</summary>
    public static Status? ReadStatus(Metadata headers)
    {
        var code = headers.GetValue(StatusTrailer);
        if (code is null)
        {
            return null;
        }

        var detail = DecodeMessage(headers.GetValue(MessageTrailer));
        return int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? new Status((StatusCode)number, detail)
            : new Status(StatusCode.Unknown, $"Invalid grpc-status '{code}'. {detail}".TrimEnd());
    }

    /// <summary>
    /// Converts received HTTP headers to metadata: <c>-bin</c> values are base64 (padded or not, as the spec allows);
    /// pseudo and undecodable entries are skipped rather than failing the call.
    /// </summary>
    public static Metadata ToMetadata(IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers)
        {
            var key = name.ToLowerInvariant();
            foreach (var value in values)
            {
                try
                {
                    metadata.Add(Metadata.Entry.IsBinaryKey(key)
                        ? new Metadata.Entry(key, DecodeBase64(value))
                        : new Metadata.Entry(key, value));
                }
                catch (FormatException)
                {
                    // A peer's malformed header is not worth failing the call over.
                }
                catch (ArgumentException)
                {
                    // Same for a key outside the gRPC grammar.
                }
            }
        }

        return metadata;
    }

    private static byte[] DecodeBase64(string value)
    {
        var padded = value.Trim();
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.FromBase64String(padded);
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
