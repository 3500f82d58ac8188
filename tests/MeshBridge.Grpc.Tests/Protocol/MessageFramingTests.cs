namespace MeshBridge.Grpc.Tests.Protocol;

/// <summary>Length-Prefixed-Message framing, including the malformed inputs a peer could send.</summary>
public sealed class MessageFramingTests
{
    [Fact]
    public async Task A_framed_message_reads_back_and_then_the_stream_ends()
    {
        using var stream = new MemoryStream(MessageFraming.Frame([1, 2, 3], maxSendMessageSize: null));

        Assert.Equal([1, 2, 3], await MessageFraming.ReadAsync(stream, 10, CancellationToken.None));
        Assert.Null(await MessageFraming.ReadAsync(stream, 10, CancellationToken.None));
    }

    [Fact]
    public void The_header_is_a_zero_flag_and_a_big_endian_length() =>
        Assert.Equal([0, 0, 0, 1, 2, 0xaa], MessageFraming.Frame([.. new byte[258]], null)[..5].Append((byte)0xaa));

    [Fact]
    public async Task A_compressed_frame_without_negotiated_encoding_is_Internal()
    {
        using var stream = new MemoryStream([1, 0, 0, 0, 1, 7]);

        var error = await Assert.ThrowsAsync<RpcException>(() => MessageFraming.ReadAsync(stream, null, CancellationToken.None));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task A_truncated_message_is_Internal()
    {
        using var stream = new MemoryStream([0, 0, 0, 0, 9, 1, 2]);

        var error = await Assert.ThrowsAsync<RpcException>(() => MessageFraming.ReadAsync(stream, null, CancellationToken.None));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task A_length_over_the_receive_limit_is_ResourceExhausted_before_reading_the_message()
    {
        using var stream = new MemoryStream([0, 0x7f, 0xff, 0xff, 0xff]);

        var error = await Assert.ThrowsAsync<RpcException>(() => MessageFraming.ReadAsync(stream, 4 * 1024 * 1024, CancellationToken.None));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }
}
