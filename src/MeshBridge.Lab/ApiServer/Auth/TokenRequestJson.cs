using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// The JSON side of TokenRequest: reading the bodies other clients send (client-go with JSON, curl, the C# client) and
/// writing the 201 reply, which kube-apiserver sends as JSON even to kubectl's protobuf request since kubectl also
/// accepts <c>application/json</c> (client-go/rest/client.go).
/// </summary>
public static class TokenRequestJson
{
    /// <summary>metav1.Time: RFC 3339, whole seconds, UTC.</summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>Reads a TokenRequest body; malformed JSON or another kind throws <see cref="InvalidDataException"/>.</summary>
    public static V1TokenRequest Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = RequireObject(document.RootElement, "the body");
            ExpectIfPresent(root, "apiVersion", TokenRequestProtobuf.ApiVersion);
            ExpectIfPresent(root, "kind", TokenRequestProtobuf.Kind);
            var metadata = OptionalObject(root, "metadata");
            var spec = OptionalObject(root, "spec");
            return new V1TokenRequest
            {
                Name = NullIfEmpty(OptionalString(metadata, "name")),
                Namespace = NullIfEmpty(OptionalString(metadata, "namespace")),
                Spec = new V1TokenRequestSpec
                {
                    Audiences = OptionalProperty(spec, "audiences") is { } audiences
                        ? [.. audiences.EnumerateArray().Select(a => a.GetString() ?? throw new InvalidDataException("spec.audiences holds null"))]
                        : [],
                    ExpirationSeconds = OptionalProperty(spec, "expirationSeconds")?.GetInt64(),
                    BoundObjectRef = OptionalObject(spec, "boundObjectRef") is { } bound ? ReadBound(bound) : null,
                },
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"json: not a TokenRequest: {e.Message}", e);
        }
    }

    /// <summary>
    /// The 201 body token.go returns: the request echoed with metadata filled from the service account, the spec
    /// with its defaults, and the status. Field order and nulls follow Go's encoding of the v1 types.
    /// </summary>
    public static string BuildReply(V1TokenRequest request, ServiceAccountReference serviceAccount, TokenIssueResult result)
    {
        if (result.Token is not { } token)
        {
            throw new InvalidOperationException("a failed TokenRequest is answered with its Status, not a reply");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", TokenRequestProtobuf.Kind);
            writer.WriteString("apiVersion", TokenRequestProtobuf.ApiVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("name", request.Name ?? serviceAccount.Name);
            writer.WriteString("namespace", request.Namespace ?? serviceAccount.Namespace);
            writer.WriteString("creationTimestamp", Format(result.CreationTimestamp));
            writer.WriteEndObject();
            WriteSpec(writer, result.Spec);
            writer.WriteStartObject("status");
            writer.WriteString("token", token);
            writer.WriteString("expirationTimestamp", Format(result.ExpirationTimestamp));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>audiences, expirationSeconds and boundObjectRef have no <c>omitempty</c>: an unbound token says null.</summary>
    private static void WriteSpec(Utf8JsonWriter writer, V1TokenRequestSpec spec)
    {
        writer.WriteStartObject("spec");
        writer.WriteStartArray("audiences");
        foreach (var audience in spec.Audiences)
        {
            writer.WriteStringValue(audience);
        }

        writer.WriteEndArray();
        if (spec.ExpirationSeconds is { } seconds)
        {
            writer.WriteNumber("expirationSeconds", seconds);
        }
        else
        {
            writer.WriteNull("expirationSeconds");
        }

        if (spec.BoundObjectRef is { } bound)
        {
            writer.WriteStartObject("boundObjectRef");
            WriteIfSet(writer, "kind", bound.Kind);
            WriteIfSet(writer, "apiVersion", bound.ApiVersion);
            WriteIfSet(writer, "name", bound.Name);
            WriteIfSet(writer, "uid", bound.Uid);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("boundObjectRef");
        }

        writer.WriteEndObject();
    }

    private static V1BoundObjectReference ReadBound(JsonElement bound) => new()
    {
        Kind = NullIfEmpty(OptionalString(bound, "kind")),
        ApiVersion = NullIfEmpty(OptionalString(bound, "apiVersion")),
        Name = NullIfEmpty(OptionalString(bound, "name")),
        Uid = NullIfEmpty(OptionalString(bound, "uid")),
    };

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }

    private static void ExpectIfPresent(JsonElement root, string name, string expected)
    {
        if (OptionalString(root, name) is { } actual && actual != expected)
        {
            throw new InvalidDataException($"json: {name} is \"{actual}\", expected \"{expected}\"");
        }
    }

    /// <summary>A property that is absent or JSON null reads as null, as Go's decoder treats both.</summary>
    private static JsonElement? OptionalProperty(JsonElement? parent, string name) =>
        parent is { } p && p.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static JsonElement? OptionalObject(JsonElement? parent, string name) =>
        OptionalProperty(parent, name) is { } value ? RequireObject(value, name) : null;

    private static string? OptionalString(JsonElement? parent, string name) => OptionalProperty(parent, name)?.GetString();

    private static JsonElement RequireObject(JsonElement element, string what) =>
        element.ValueKind == JsonValueKind.Object ? element : throw new InvalidDataException($"json: {what} is not an object");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
