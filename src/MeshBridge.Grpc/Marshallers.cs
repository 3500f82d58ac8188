using Google.Protobuf;

namespace MeshBridge.Grpc;

/// <summary>Builds marshallers for Google.Protobuf messages from their generated <see cref="MessageParser{T}"/>.</summary>
public static class Marshallers
{
    /// <summary>A marshaller using the message's own serializer and the given parser.</summary>
    public static Marshaller<T> Create<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        return new Marshaller<T>(message => message.ToByteArray(), parser.ParseFrom);
    }
}
