using System.Text;

namespace MeshBridge.Lab.Tests.Auth;

/// <summary>Writes protobuf wire bytes by hand, so tests can build the bodies kubectl sends and the odd ones it might.</summary>
internal sealed class ProtobufTestWriter
{
    private readonly List<byte> _bytes = [];

    public ProtobufTestWriter Varint(int field, ulong value) => Tag(field, 0).Raw(Encode(value));

    public ProtobufTestWriter Fixed64(int field, ulong value) => Tag(field, 1).Raw(BitConverter.GetBytes(value));

    public ProtobufTestWriter Bytes(int field, byte[] value) => Tag(field, 2).Raw(Encode((ulong)value.Length)).Raw(value);

    public ProtobufTestWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtobufTestWriter Message(int field, ProtobufTestWriter message) => Bytes(field, message.ToArray());

    public ProtobufTestWriter Group(int field, ProtobufTestWriter body) => Tag(field, 3).Raw(body.ToArray()).Tag(field, 4);

    public ProtobufTestWriter Fixed32(int field, uint value) => Tag(field, 5).Raw(BitConverter.GetBytes(value));

    public ProtobufTestWriter Tag(int field, int wireType) => Raw(Encode(((ulong)field << 3) | (uint)wireType));

    public ProtobufTestWriter Raw(byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    /// <summary>The <c>k8s\0</c> envelope around a raw TokenRequest, as apimachinery's protobuf serializer frames it.</summary>
    public static byte[] Envelope(ProtobufTestWriter tokenRequest, string apiVersion = "authentication.k8s.io/v1", string kind = "TokenRequest")
    {
        var unknown = new ProtobufTestWriter()
            .Message(1, new ProtobufTestWriter().String(1, apiVersion).String(2, kind))
            .Message(2, tokenRequest)
            .String(3, "")
            .String(4, "");
        return [.. "k8s\0"u8.ToArray(), .. unknown.ToArray()];
    }

    private static byte[] Encode(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);

        return [.. bytes];
    }
}
