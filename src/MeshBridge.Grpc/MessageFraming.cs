using System.Buffers.Binary;

namespace MeshBridge.Grpc;

/// <summary>
/// gRPC "Length-Prefixed-Message" framing: a 1-byte compressed flag, a 4-byte big-endian length, then the message.
/// This client never negotiates compression (sends no <c>grpc-accept-encoding</c>), so a compressed frame is a
/// protocol violation (Internal), and the length is checked before the message is read so an oversized message
/// never gets buffered.
/// </summary>
internal static class MessageFraming
{
    public const int HeaderSize = 5;

    /// <summary>Frames a message, failing with ResourceExhausted over the send limit.</summary>
    public static byte[] Frame(byte[] message, int? maxSendMessageSize)
    {
        if (message.Length > maxSendMessageSize)
        {
            throw new RpcException(new Status(
                StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({message.Length} > {maxSendMessageSize})."));
        }

        var frame = new byte[HeaderSize + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, HeaderSize);
        return frame;
    }

    /// <summary>Reads the next message, or null at a clean end of stream (between frames).</summary>
    public static async Task<byte[]?> ReadAsync(Stream stream, int? maxReceiveMessageSize, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        var read = await stream.ReadAtLeastAsync(header, HeaderSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < HeaderSize)
        {
            throw Internal("The response ended inside a message header.");
        }

        if (header[0] != 0)
        {
            throw header[0] == 1
                ? Internal("Received a compressed message, but no grpc-encoding was negotiated.")
                : Internal($"Invalid compressed flag {header[0]} in a message header.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > (uint)(maxReceiveMessageSize ?? int.MaxValue))
        {
            throw new RpcException(new Status(
                StatusCode.ResourceExhausted,
                $"Received message exceeds the maximum configured message size ({length} > {maxReceiveMessageSize})."));
        }

        var message = new byte[length];
        read = await stream.ReadAtLeastAsync(message, message.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read < message.Length ? throw Internal("The response ended inside a message.") : message;
    }

    private static RpcException Internal(string detail) => new(new Status(StatusCode.Internal, detail));
}
