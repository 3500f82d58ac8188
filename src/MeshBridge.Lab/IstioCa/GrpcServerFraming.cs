using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using MeshBridge.Grpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MeshBridge.Lab.IstioCa;

/// <summary>
/// The server half of gRPC over HTTP/2 for unary and bidirectional streaming methods, written out by hand (grpc/doc/PROTOCOL-HTTP2.md) so the
/// lab needs no gRPC server library and every byte MeshBridge's client must accept is visible here: 5-byte message
/// prefix, <c>content-type: application/grpc</c>, status in trailers, Trailers-Only for errors before any message.
/// </summary>
internal static class GrpcServerFraming
{
    /// <summary>grpc-go's default receive limit; a CSR is a few hundred bytes.</summary>
    public const int MaxRequestMessageSize = 4 * 1024 * 1024;

    public const string ContentType = "application/grpc";

    /// <summary>Reads the single length-prefixed request message of a unary call.</summary>
    /// <exception cref="IstioCaStatusException">The body is not exactly one uncompressed message.</exception>
    public static async Task<byte[]> ReadUnaryRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (body.Length < 5)
        {
            throw new IstioCaStatusException(StatusCode.Internal, "grpc: request message is missing or truncated");
        }

        if (body.Span[0] != 0)
        {
            // No grpc-accept-encoding is advertised, so a compressed message is the client's error.
            throw new IstioCaStatusException(StatusCode.Unimplemented, "grpc: compressed request messages are not supported");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body.Span[1..5]);
        if (length > MaxRequestMessageSize)
        {
            throw new IstioCaStatusException(StatusCode.ResourceExhausted, $"grpc: received message larger than max ({length} vs. {MaxRequestMessageSize})");
        }

        if (body.Length != 5 + length)
        {
            throw new IstioCaStatusException(StatusCode.Internal, "grpc: a unary request must hold exactly one message");
        }

        return body[5..].ToArray();
    }

    /// <summary>
    /// Reads the next length-prefixed message of a streaming call, or null when the client half-closed the stream
    /// between messages.
    /// </summary>
    /// <exception cref="IstioCaStatusException">A message is compressed, too large or cut off.</exception>
    public static async Task<byte[]?> ReadStreamingMessageAsync(Stream body, CancellationToken cancellationToken)
    {
        var prefix = new byte[5];
        var read = await body.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < prefix.Length)
        {
            throw new IstioCaStatusException(StatusCode.Internal, "grpc: request message is missing or truncated");
        }

        if (prefix[0] != 0)
        {
            throw new IstioCaStatusException(StatusCode.Unimplemented, "grpc: compressed request messages are not supported");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1, 4));
        if (length > MaxRequestMessageSize)
        {
            throw new IstioCaStatusException(StatusCode.ResourceExhausted, $"grpc: received message larger than max ({length} vs. {MaxRequestMessageSize})");
        }

        var message = new byte[length];
        if (await body.ReadAtLeastAsync(message, message.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < message.Length)
        {
            throw new IstioCaStatusException(StatusCode.Internal, "grpc: request message is missing or truncated");
        }

        return message;
    }

    /// <summary>One message of a streaming response, flushed at once (the headers go with the first one).</summary>
    public static async Task WriteStreamingMessageAsync(HttpResponse response, byte[] message, CancellationToken cancellationToken)
    {
        if (!response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
        }

        await response.Body.WriteAsync(Frame(message), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Headers, one message, then <c>grpc-status: 0</c> in the trailers.</summary>
    public static async Task WriteUnaryResponseAsync(HttpResponse response, byte[] message, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        await response.Body.WriteAsync(Frame(message), cancellationToken).ConfigureAwait(false);
        response.AppendTrailer("grpc-status", "0");
    }

    /// <summary>A length-prefixed message: the compressed flag (0) and the big-endian length, then the bytes.</summary>
    private static byte[] Frame(byte[] message)
    {
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>
    /// Ends the call with a status. Before anything was sent that is Trailers-Only: one HEADERS frame holding
    /// <c>:status 200</c>, the content type and the status, with END_STREAM; afterwards the status goes in trailers.
    /// </summary>
    public static void WriteStatus(HttpResponse response, StatusCode code, string message)
    {
        var status = ((int)code).ToString(CultureInfo.InvariantCulture);
        var encoded = PercentEncode(message);
        if (!response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.Headers["grpc-status"] = status;
            if (encoded.Length > 0)
            {
                response.Headers["grpc-message"] = encoded;
            }

            return;
        }

        response.AppendTrailer("grpc-status", status);
        if (encoded.Length > 0)
        {
            response.AppendTrailer("grpc-message", encoded);
        }
    }

    /// <summary>Whether the client can receive trailers at all (HTTP/2); gRPC cannot run without them.</summary>
    public static bool SupportsTrailers(HttpContext context) =>
        context.Features.Get<IHttpResponseTrailersFeature>() is not null && context.Request.Protocol == "HTTP/2";

    /// <summary>
    /// grpc-message encoding: UTF-8, with every byte outside printable ASCII 0x20–0x7E, and '%' itself, as %XX.
    /// </summary>
    public static string PercentEncode(string message)
    {
        var text = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
