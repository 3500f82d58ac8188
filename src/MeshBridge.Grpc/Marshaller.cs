namespace MeshBridge.Grpc;

/// <summary>
/// Turns a message into bytes and back. Kept as a pair of delegates (as Grpc.Core.Api does) so the channel does not
/// depend on the message library; <see cref="Marshallers"/> builds one from a Google.Protobuf parser.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
/// <param name="Serializer">Message to bytes.</param>
/// <param name="Deserializer">Bytes to message; may throw on malformed input (the channel maps that to Internal).</param>
public sealed record Marshaller<T>(Func<T, byte[]> Serializer, Func<byte[], T> Deserializer);
