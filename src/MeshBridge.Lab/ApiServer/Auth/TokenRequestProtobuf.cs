namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// Reads the protobuf TokenRequest that <c>kubectl create token</c> POSTs. The body is kube's protobuf envelope
/// (apimachinery/pkg/runtime/serializer/protobuf): the magic <c>k8s\0</c>, then a runtime.Unknown whose raw bytes
/// are an authentication.k8s.io/v1 TokenRequest (field numbers from api/authentication/v1/generated.proto).
/// Malformed bodies throw <see cref="InvalidDataException"/>; the endpoint answers those with 400.
/// </summary>
public static class TokenRequestProtobuf
{
    public const string ContentType = "application/vnd.kubernetes.protobuf";
    public const string ApiVersion = "authentication.k8s.io/v1";
    public const string Kind = "TokenRequest";

    public static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    public static V1TokenRequest Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            throw new InvalidDataException("protobuf: body does not start with the k8s\\0 magic");
        }

        var (apiVersion, kind, raw, contentEncoding) = ReadUnknown(body[Magic.Length..]);
        if (apiVersion != ApiVersion || kind != Kind)
        {
            throw new InvalidDataException($"protobuf: expected {ApiVersion} {Kind}, got \"{apiVersion}\" \"{kind}\"");
        }

        // The apimachinery serializer writes no content encoding; anything else would need decompressing first.
        if (contentEncoding.Length != 0)
        {
            throw new InvalidDataException($"protobuf: unsupported content encoding \"{contentEncoding}\"");
        }

        return ReadTokenRequest(raw);
    }

    /// <summary>runtime.Unknown {1 typeMeta, 2 raw, 3 contentEncoding, 4 contentType}; TypeMeta {1 apiVersion, 2 kind}.</summary>
    internal static (string ApiVersion, string Kind, byte[] Raw, string ContentEncoding) ReadUnknown(ReadOnlySpan<byte> unknown)
    {
        string apiVersion = "", kind = "", contentEncoding = "";
        byte[] raw = [];
        var reader = new ProtobufWireReader(unknown);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch ((field, wireType))
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    (apiVersion, kind) = ReadTypeMeta(reader.ReadLengthDelimited());
                    break;
                case (2, ProtobufWireReader.LengthDelimited):
                    raw = reader.ReadLengthDelimited().ToArray();
                    break;
                case (3, ProtobufWireReader.LengthDelimited):
                    contentEncoding = reader.ReadString();
                    break;
                default:
                    reader.Skip(field, wireType);
                    break;
            }
        }

        return (apiVersion, kind, raw, contentEncoding);
    }

    private static (string ApiVersion, string Kind) ReadTypeMeta(ReadOnlySpan<byte> typeMeta)
    {
        string apiVersion = "", kind = "";
        var reader = new ProtobufWireReader(typeMeta);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch ((field, wireType))
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    apiVersion = reader.ReadString();
                    break;
                case (2, ProtobufWireReader.LengthDelimited):
                    kind = reader.ReadString();
                    break;
                default:
                    reader.Skip(field, wireType);
                    break;
            }
        }

        return (apiVersion, kind);
    }

    /// <summary>TokenRequest {1 metadata, 2 spec, 3 status}; the status is the server's to fill and is skipped.</summary>
    private static V1TokenRequest ReadTokenRequest(ReadOnlySpan<byte> message)
    {
        var request = new V1TokenRequest();
        var reader = new ProtobufWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch ((field, wireType))
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    var (name, ns) = ReadObjectMeta(reader.ReadLengthDelimited());
                    request = request with { Name = name, Namespace = ns };
                    break;
                case (2, ProtobufWireReader.LengthDelimited):
                    request = request with { Spec = ReadSpec(reader.ReadLengthDelimited()) };
                    break;
                default:
                    reader.Skip(field, wireType);
                    break;
            }
        }

        return request;
    }

    /// <summary>ObjectMeta {1 name, 3 namespace}; gogo writes empty strings too, which mean "not set".</summary>
    private static (string? Name, string? Namespace) ReadObjectMeta(ReadOnlySpan<byte> objectMeta)
    {
        string? name = null, ns = null;
        var reader = new ProtobufWireReader(objectMeta);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch ((field, wireType))
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    name = NullIfEmpty(reader.ReadString());
                    break;
                case (3, ProtobufWireReader.LengthDelimited):
                    ns = NullIfEmpty(reader.ReadString());
                    break;
                default:
                    reader.Skip(field, wireType);
                    break;
            }
        }

        return (name, ns);
    }

    /// <summary>TokenRequestSpec {1 audiences (repeated), 3 boundObjectRef, 4 expirationSeconds (int64, optional)}.</summary>
    private static V1TokenRequestSpec ReadSpec(ReadOnlySpan<byte> spec)
    {
        var audiences = new List<string>();
        long? expirationSeconds = null;
        V1BoundObjectReference? bound = null;
        var reader = new ProtobufWireReader(spec);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch ((field, wireType))
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    audiences.Add(reader.ReadString());
                    break;
                case (3, ProtobufWireReader.LengthDelimited):
                    bound = ReadBoundObjectReference(reader.ReadLengthDelimited());
                    break;
                case (4, ProtobufWireReader.Varint):
                    // int64 is two's complement in a varint: a negative value arrives as ten bytes.
                    expirationSeconds = unchecked((long)reader.ReadVarint());
                    break;
                default:
                    reader.Skip(field, wireType);
                    break;
            }
        }

        return new V1TokenRequestSpec { Audiences = audiences, ExpirationSeconds = expirationSeconds, BoundObjectRef = bound };
    }

    /// <summary>BoundObjectReference {1 kind, 2 apiVersion, 3 name, 4 uID}.</summary>
    private static V1BoundObjectReference ReadBoundObjectReference(ReadOnlySpan<byte> message)
    {
        string? kind = null, apiVersion = null, name = null, uid = null;
        var reader = new ProtobufWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch ((field, wireType))
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    kind = NullIfEmpty(reader.ReadString());
                    break;
                case (2, ProtobufWireReader.LengthDelimited):
                    apiVersion = NullIfEmpty(reader.ReadString());
                    break;
                case (3, ProtobufWireReader.LengthDelimited):
                    name = NullIfEmpty(reader.ReadString());
                    break;
                case (4, ProtobufWireReader.LengthDelimited):
                    uid = NullIfEmpty(reader.ReadString());
                    break;
                default:
                    reader.Skip(field, wireType);
                    break;
            }
        }

        return new V1BoundObjectReference { Kind = kind, ApiVersion = apiVersion, Name = name, Uid = uid };
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
