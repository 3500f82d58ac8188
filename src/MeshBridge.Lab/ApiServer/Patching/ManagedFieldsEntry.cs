using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// One element of <c>metadata.managedFields</c>:
/// <c>{"manager","operation","apiVersion","time","fieldsType":"FieldsV1","fieldsV1":{…},"subresource"?}</c>
/// [apimachinery/pkg/apis/meta/v1/types.go ManagedFieldsEntry]. <see cref="Time"/> has whole-second precision
/// on the wire (metav1.Time).
/// </summary>
public sealed record ManagedFieldsEntry(
    string Manager,
    ManagedFieldsOperation Operation,
    string ApiVersion,
    DateTimeOffset? Time,
    FieldSet Fields,
    string? Subresource = null)
{
    public const string FieldsTypeV1 = "FieldsV1";

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>
    /// Who owns the fields, as the field manager tells managers apart [managedfields/internal/managedfields.go
    /// BuildManagerIdentifier]: name, operation and subresource, plus the apiVersion for Update only, so that an
    /// applier keeps one entry across versions. Serialized the way Go's encoding/json writes it, because the API
    /// server sorts conflict messages by this string.
    /// </summary>
    public string Identifier
    {
        get
        {
            var text = new StringBuilder("{\"manager\":").Append(Quote(Manager)).Append(",\"operation\":\"").Append(Operation).Append('"');
            if (Operation == ManagedFieldsOperation.Update)
            {
                text.Append(",\"apiVersion\":").Append(Quote(ApiVersion));
            }

            if (!string.IsNullOrEmpty(Subresource))
            {
                text.Append(",\"subresource\":").Append(Quote(Subresource));
            }

            return text.Append('}').ToString();
        }
    }

    /// <summary>
    /// The manager as conflict messages print it [managedfields/internal/conflict.go printManager]:
    /// <c>"kubectl"</c>, <c>"kubectl" with subresource "status"</c>, <c>"kubectl-patch" using k8s.nginx.org/v1</c>.
    /// The identifier carries no time, so the <c>at &lt;time&gt;</c> form never appears.
    /// </summary>
    public string Description
    {
        get
        {
            var text = Quote(Manager);
            if (!string.IsNullOrEmpty(Subresource))
            {
                text += $" with subresource {Quote(Subresource)}";
            }

            return Operation == ManagedFieldsOperation.Update ? $"{text} using {ApiVersion}" : text;
        }
    }

    /// <summary>True when this entry belongs to the same manager identity (see <see cref="Identifier"/>).</summary>
    public bool IsSameManager(ManagedFieldsEntry other) => string.Equals(Identifier, other.Identifier, StringComparison.Ordinal);

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["manager"] = Manager,
            ["operation"] = Operation.ToString(),
            ["apiVersion"] = ApiVersion,
        };
        if (Time is { } time)
        {
            json["time"] = time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
        }

        json["fieldsType"] = FieldsTypeV1;
        json["fieldsV1"] = Fields.ToFieldsV1();
        if (!string.IsNullOrEmpty(Subresource))
        {
            json["subresource"] = Subresource;
        }

        return json;
    }

    /// <exception cref="FormatException">The entry is not one the API server would have written.</exception>
    public static ManagedFieldsEntry FromJson(JsonObject json)
    {
        var operation = Text(json, "operation") switch
        {
            "Apply" => ManagedFieldsOperation.Apply,
            "Update" => ManagedFieldsOperation.Update,
            var other => throw new FormatException($"managedFields: operation must be Apply or Update, not \"{other}\""),
        };
        if (Text(json, "fieldsType") is { } fieldsType && fieldsType != FieldsTypeV1)
        {
            throw new FormatException($"managedFields: fieldsType must be {FieldsTypeV1}, not \"{fieldsType}\"");
        }

        var time = Text(json, "time") is { } stamp
            ? DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : (DateTimeOffset?)null;
        var fields = json["fieldsV1"] is JsonObject fieldsV1 ? FieldSet.FromFieldsV1(fieldsV1) : FieldSet.Empty;
        return new ManagedFieldsEntry(Text(json, "manager") ?? string.Empty, operation, Text(json, "apiVersion") ?? string.Empty, time, fields, Text(json, "subresource"));
    }

    /// <summary>The entries in an object's <c>metadata.managedFields</c>; none when it has none.</summary>
    /// <exception cref="FormatException">An entry does not decode.</exception>
    public static IReadOnlyList<ManagedFieldsEntry> ListFrom(JsonObject obj) =>
        obj["metadata"]?["managedFields"] is JsonArray entries
            ? entries.Select(entry => FromJson(entry as JsonObject ?? throw new FormatException("managedFields: an entry must be an object"))).ToList()
            : [];

    /// <summary>The entry with its time cut to whole seconds, as the wire would carry it.</summary>
    internal static DateTimeOffset WireTime(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    /// <summary>Go's <c>%q</c> for the names that occur in practice: quotes, backslashes and control characters escaped.</summary>
    private static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' or '\\' => text.Append('\\').Append(c),
                '\n' => text.Append("\\n"),
                '\t' => text.Append("\\t"),
                '\r' => text.Append("\\r"),
                < ' ' => text.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => text.Append(c),
            };
        }

        return text.Append('"').ToString();
    }

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
