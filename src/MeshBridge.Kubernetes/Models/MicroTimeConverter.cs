using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Kubernetes.Models;

/// <summary>Kubernetes <c>MicroTime</c>: RFC 3339 in UTC with exactly six fractional digits.</summary>
public sealed class MicroTimeConverter : JsonConverter<DateTimeOffset?>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } time)
        {
            writer.WriteStringValue(time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
