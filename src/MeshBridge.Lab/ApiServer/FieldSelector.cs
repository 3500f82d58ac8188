using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer;

/// <summary>
/// Field selectors: <c>metadata.name</c> and <c>metadata.namespace</c> for every kind, plus the core/v1 Event fields;
/// anything else is refused as the API server refuses it (400 "field label not supported").
/// </summary>
public sealed class FieldSelector
{
    private static readonly HashSet<string> EventFields =
    [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
        "reportingComponent", "source", "type",
    ];

    private readonly List<(string Path, string Value, bool Negate)> terms = [];

    public static FieldSelector Parse(string? text, bool coreEvents)
    {
        var selector = new FieldSelector();
        foreach (var term in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var negate = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            var path = parts[0].Trim();
            if (path is not ("metadata.name" or "metadata.namespace") && !(coreEvents && EventFields.Contains(path)))
            {
                throw ApiError.BadRequest($"field label not supported: {path}");
            }

            selector.terms.Add((path, parts.Length > 1 ? parts[1].Trim() : string.Empty, negate));
        }

        return selector;
    }

    public bool Matches(JsonObject obj) => terms.All(t => (Value(obj, t.Path) == t.Value) != t.Negate);

    private static string Value(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }

        return node?.ToString() ?? string.Empty;
    }
}
