using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview bodies (what <c>kubectl auth can-i</c>
/// and <c>kubectl auth can-i --list</c> POST), read from JSON or kube's protobuf envelope into the JSON shape
/// (field numbers from api/authorization/v1/generated.proto).
/// </summary>
public static class RbacSelfSubjectReviews
{
    public const string ApiVersion = "authorization.k8s.io/v1";

    /// <summary>The request as JSON: <c>{"spec":{…}}</c>. Malformed protobuf throws <see cref="InvalidDataException"/>.</summary>
    public static JsonObject Read(ReadOnlySpan<byte> body, bool protobuf, string kind)
    {
        if (!protobuf)
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new InvalidDataException("the body must be a JSON object");
        }

        if (!body.StartsWith(TokenRequestProtobuf.Magic))
        {
            throw new InvalidDataException("protobuf: body does not start with the k8s\\0 magic");
        }

        var (apiVersion, actualKind, raw, _) = TokenRequestProtobuf.ReadUnknown(body[TokenRequestProtobuf.Magic.Length..]);
        if (apiVersion != ApiVersion || actualKind != kind)
        {
            throw new InvalidDataException($"protobuf: expected {ApiVersion} {kind}, got \"{apiVersion}\" \"{actualKind}\"");
        }

        var spec = new JsonObject();
        var reader = new ProtobufWireReader(raw);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 2 && wireType == ProtobufWireReader.LengthDelimited)
            {
                spec = kind == "SelfSubjectAccessReview" ? AccessSpec(reader.ReadLengthDelimited()) : RulesSpec(reader.ReadLengthDelimited());
            }
            else
            {
                reader.Skip(field, wireType);
            }
        }

        return new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["spec"] = spec };
    }

    /// <summary>SelfSubjectAccessReviewSpec {1 resourceAttributes, 2 nonResourceAttributes}.</summary>
    private static JsonObject AccessSpec(ReadOnlySpan<byte> bytes)
    {
        var spec = new JsonObject();
        var reader = new ProtobufWireReader(bytes);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch ((field, wireType))
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    spec["resourceAttributes"] = Strings(reader.ReadLengthDelimited(), "namespace", "verb", "group", "version", "resource", "subresource", "name");
                    break;
                case (2, ProtobufWireReader.LengthDelimited):
                    spec["nonResourceAttributes"] = Strings(reader.ReadLengthDelimited(), "path", "verb");
                    break;
                default:
                    reader.Skip(field, wireType);
                    break;
            }
        }

        return spec;
    }

    /// <summary>SelfSubjectRulesReviewSpec {1 namespace}.</summary>
    private static JsonObject RulesSpec(ReadOnlySpan<byte> bytes) => Strings(bytes, "namespace");

    /// <summary>A message whose fields 1..n are the given strings; other fields are skipped.</summary>
    private static JsonObject Strings(ReadOnlySpan<byte> bytes, params string[] names)
    {
        var json = new JsonObject();
        var reader = new ProtobufWireReader(bytes);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field >= 1 && field <= names.Length && wireType == ProtobufWireReader.LengthDelimited)
            {
                json[names[field - 1]] = reader.ReadString();
            }
            else
            {
                reader.Skip(field, wireType);
            }
        }

        return json;
    }
}
