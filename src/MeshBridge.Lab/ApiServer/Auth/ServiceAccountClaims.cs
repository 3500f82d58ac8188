using System.Text.Encodings.Web;
using System.Text.Json;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// The claims of a bound service account token (k8s pkg/serviceaccount/claims.go). go-jose merges the public and
/// private claims into one map before marshalling, so the payload's keys come out sorted, and so do those under
/// <c>kubernetes.io</c>; refs and the namespace are <c>omitempty</c>.
/// </summary>
internal sealed record ServiceAccountClaims
{
    public string? Issuer { get; init; }

    public string? Subject { get; init; }

    public IReadOnlyList<string> Audience { get; init; } = [];

    public long? Expiry { get; init; }

    public long? IssuedAt { get; init; }

    public long? NotBefore { get; init; }

    public string? Id { get; init; }

    public string? Namespace { get; init; }

    public Ref ServiceAccount { get; init; }

    public Ref? Pod { get; init; }

    public Ref? Secret { get; init; }

    public Ref? Node { get; init; }

    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("aud");
            foreach (var audience in Audience)
            {
                writer.WriteStringValue(audience);
            }

            writer.WriteEndArray();
            WriteNumberIfSet(writer, "exp", Expiry);
            WriteNumberIfSet(writer, "iat", IssuedAt);
            WriteStringIfSet(writer, "iss", Issuer);
            WriteStringIfSet(writer, "jti", Id);
            WriteKubernetes(writer);
            WriteNumberIfSet(writer, "nbf", NotBefore);
            WriteStringIfSet(writer, "sub", Subject);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a payload; null when it is not the JSON object go-jose would unmarshal into these claims.</summary>
    public static ServiceAccountClaims? TryParse(ReadOnlySpan<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var kubernetes = root.TryGetProperty("kubernetes.io", out var k) && k.ValueKind == JsonValueKind.Object ? k : default;
            return new ServiceAccountClaims
            {
                Issuer = OptionalString(root, "iss"),
                Subject = OptionalString(root, "sub"),
                Audience = ReadAudience(root),
                Expiry = OptionalNumericDate(root, "exp"),
                IssuedAt = OptionalNumericDate(root, "iat"),
                NotBefore = OptionalNumericDate(root, "nbf"),
                Id = OptionalString(root, "jti"),
                Namespace = OptionalString(kubernetes, "namespace"),
                ServiceAccount = ReadRef(kubernetes, "serviceaccount") ?? default,
                Pod = ReadRef(kubernetes, "pod"),
                Secret = ReadRef(kubernetes, "secret"),
                Node = ReadRef(kubernetes, "node"),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The <c>iss</c> claim read before any signature check, as jwt.go's hasCorrectIssuer does.</summary>
    public static string? UnverifiedIssuer(ReadOnlySpan<byte> payload) => TryParse(payload)?.Issuer;

    private void WriteKubernetes(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("kubernetes.io");
        WriteStringIfSet(writer, "namespace", Namespace);
        WriteRef(writer, "node", Node);
        WriteRef(writer, "pod", Pod);
        WriteRef(writer, "secret", Secret);
        WriteRef(writer, "serviceaccount", ServiceAccount);
        writer.WriteEndObject();
    }

    private static void WriteRef(Utf8JsonWriter writer, string name, Ref? value)
    {
        if (value is not { } r)
        {
            return;
        }

        writer.WriteStartObject(name);
        WriteStringIfSet(writer, "name", r.Name);
        WriteStringIfSet(writer, "uid", r.Uid);
        writer.WriteEndObject();
    }

    private static void WriteStringIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNumberIfSet(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static string? OptionalString(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.GetString()
            : null;

    // go-jose's NumericDate parses any JSON number and truncates it to whole seconds.
    private static long? OptionalNumericDate(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? (long)value.GetDouble() : null;

    // go-jose's Audience accepts a single string as well as an array.
    private static string[] ReadAudience(JsonElement root)
    {
        if (!root.TryGetProperty("aud", out var aud) || aud.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return aud.ValueKind == JsonValueKind.String
            ? [aud.GetString()!]
            : [.. aud.EnumerateArray().Select(a => a.GetString() ?? throw new FormatException("aud holds a non-string"))];
    }

    private static Ref? ReadRef(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? new Ref(OptionalString(value, "name"), OptionalString(value, "uid"))
            : null;

    /// <summary>claims.go's <c>ref</c>: a name and a uid, each omitted when empty.</summary>
    public readonly record struct Ref(string? Name, string? Uid);
}
