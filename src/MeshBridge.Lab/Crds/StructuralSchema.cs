using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MeshBridge.Lab.Crds;

/// <summary>
/// A CRD's <c>openAPIV3Schema</c> applied the way kube-apiserver applies a structural schema: type, enum, pattern,
/// bounds, required and (for <c>Validate</c>) unknown fields; <see cref="Prune"/> drops unknown fields as the API
/// server does for CRDs without <c>x-kubernetes-preserve-unknown-fields</c>. <c>apiVersion</c>, <c>kind</c> and
/// <c>metadata</c> are the server's own, so only their presence is checked. CEL rules (x-kubernetes-validations)
/// are not evaluated.
/// </summary>
public sealed class StructuralSchema
{
    private static readonly HashSet<string> Envelope = ["apiVersion", "kind", "metadata"];
    private readonly JsonObject root;

    public StructuralSchema(JsonObject openApiV3Schema)
    {
        root = openApiV3Schema;
    }

    /// <summary>The schema of the served version of a CustomResourceDefinition, by version name.</summary>
    public static StructuralSchema FromCrd(JsonNode crd, string version)
    {
        var versions = crd["spec"]?["versions"]?.AsArray() ?? throw new ArgumentException("not a CustomResourceDefinition: no spec.versions");
        var served = versions.FirstOrDefault(v => v?["name"]?.GetValue<string>() == version)
            ?? throw new ArgumentException($"the CRD serves no version {version}");
        var schema = served["schema"]?["openAPIV3Schema"] as JsonObject ?? throw new ArgumentException($"version {version} has no openAPIV3Schema");
        return new StructuralSchema(schema);
    }

    public IReadOnlyList<SchemaError> Validate(JsonNode? document)
    {
        var errors = new List<SchemaError>();
        Check(root, document, string.Empty, errors, topLevel: true);
        return errors;
    }

    /// <summary>A copy without the fields the schema does not declare, and the paths that were dropped.</summary>
    public JsonNode? Prune(JsonNode? document, List<string> pruned)
    {
        var copy = document?.DeepClone();
        PruneNode(root, copy, string.Empty, pruned, topLevel: true);
        return copy;
    }

    private static void Check(JsonObject schema, JsonNode? value, string path, List<SchemaError> errors, bool topLevel = false)
    {
        if (value is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true && path.Length > 0)
            {
                errors.Add(new SchemaError(path, SchemaError.Invalid, $"null: {path} in body must be of type {TypeOf(schema) ?? "object"}: \"null\""));
            }

            return;
        }

        if (!TypeMatches(schema, value, out var expected))
        {
            errors.Add(new SchemaError(path, SchemaError.Invalid, $"\"{Kind(value)}\": {path} in body must be of type {expected}: \"{Kind(value)}\""));
            return;
        }

        CheckEnum(schema, value, path, errors);
        CheckScalarBounds(schema, value, path, errors);
        switch (value)
        {
            case JsonObject map:
                CheckObject(schema, map, path, errors, topLevel);
                break;
            case JsonArray array when schema["items"] is JsonObject items:
                CheckCount(schema, array.Count, path, errors, "minItems", "maxItems", "items");
                for (var i = 0; i < array.Count; i++)
                {
                    Check(items, array[i], $"{path}[{i}]", errors);
                }

                break;
        }
    }

    private static void CheckObject(JsonObject schema, JsonObject map, string path, List<SchemaError> errors, bool topLevel)
    {
        var properties = schema["properties"] as JsonObject;
        foreach (var required in schema["required"]?.AsArray() ?? [])
        {
            var name = required!.GetValue<string>();
            if (!map.ContainsKey(name))
            {
                errors.Add(new SchemaError(Join(path, name), SchemaError.Required, string.Empty));
            }
        }

        foreach (var (name, child) in map)
        {
            var childPath = Join(path, name);
            if (topLevel && Envelope.Contains(name))
            {
                continue;
            }

            if (properties?[name] is JsonObject childSchema)
            {
                Check(childSchema, child, childPath, errors);
            }
            else if (schema["additionalProperties"] is JsonObject additional)
            {
                Check(additional, child, childPath, errors);
            }
            else if (!PreservesUnknown(schema))
            {
                errors.Add(new SchemaError(childPath, SchemaError.Unknown, $"field not declared in schema"));
            }
        }
    }

    private static void PruneNode(JsonObject schema, JsonNode? value, string path, List<string> pruned, bool topLevel = false)
    {
        switch (value)
        {
            case JsonObject map when !PreservesUnknown(schema):
                var properties = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"] as JsonObject;
                foreach (var name in map.Select(p => p.Key).ToList())
                {
                    if (topLevel && Envelope.Contains(name))
                    {
                        continue;
                    }

                    if (properties?[name] is JsonObject childSchema)
                    {
                        PruneNode(childSchema, map[name], Join(path, name), pruned);
                    }
                    else if (additional is not null)
                    {
                        PruneNode(additional, map[name], Join(path, name), pruned);
                    }
                    else
                    {
                        map.Remove(name);
                        pruned.Add(Join(path, name));
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    PruneNode(items, array[i], $"{path}[{i}]", pruned);
                }

                break;
        }
    }

    private static bool PreservesUnknown(JsonObject schema) =>
        schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true ||
        (schema["additionalProperties"] is JsonValue v && v.GetValueKind() == JsonValueKind.True);

    private static bool TypeMatches(JsonObject schema, JsonNode value, out string expected)
    {
        expected = TypeOf(schema) ?? "any";
        if (schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            expected = "integer or string";
            return value is JsonValue v && (v.GetValueKind() == JsonValueKind.String || IsInteger(v));
        }

        return TypeOf(schema) switch
        {
            null => true,
            "object" => value is JsonObject,
            "array" => value is JsonArray,
            "string" => value is JsonValue s && s.GetValueKind() == JsonValueKind.String,
            "boolean" => value is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
            "integer" => value is JsonValue i && IsInteger(i),
            "number" => value is JsonValue n && n.GetValueKind() == JsonValueKind.Number,
            _ => true,
        };
    }

    private static void CheckEnum(JsonObject schema, JsonNode value, string path, List<SchemaError> errors)
    {
        if (schema["enum"] is not JsonArray allowed || allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            return;
        }

        var list = string.Join(", ", allowed.Select(a => a?.ToJsonString()));
        errors.Add(new SchemaError(path, SchemaError.Unsupported, $"{value.ToJsonString()}: supported values: {list}"));
    }

    private static void CheckScalarBounds(JsonObject schema, JsonNode value, string path, List<SchemaError> errors)
    {
        if (value is not JsonValue scalar)
        {
            return;
        }

        if (scalar.GetValueKind() == JsonValueKind.String)
        {
            var text = scalar.GetValue<string>();
            if (schema["pattern"]?.GetValue<string>() is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                errors.Add(new SchemaError(path, SchemaError.Invalid, $"\"{text}\": {path} in body should match '{pattern}'"));
            }

            CheckCount(schema, text.Length, path, errors, "minLength", "maxLength", "characters");
        }
        else if (scalar.GetValueKind() == JsonValueKind.Number)
        {
            var number = Number(scalar);
            if (schema["minimum"] is JsonValue min && number < Number(min))
            {
                errors.Add(new SchemaError(path, SchemaError.Invalid, $"{number.ToString(CultureInfo.InvariantCulture)}: {path} in body should be greater than or equal to {min.ToJsonString()}"));
            }

            if (schema["maximum"] is JsonValue max && number > Number(max))
            {
                errors.Add(new SchemaError(path, SchemaError.Invalid, $"{number.ToString(CultureInfo.InvariantCulture)}: {path} in body should be less than or equal to {max.ToJsonString()}"));
            }
        }
    }

    private static void CheckCount(JsonObject schema, int count, string path, List<SchemaError> errors, string minKey, string maxKey, string unit)
    {
        if (schema[minKey] is JsonValue min && count < Number(min))
        {
            errors.Add(new SchemaError(path, SchemaError.Invalid, $"{path} in body should have at least {min.ToJsonString()} {unit}"));
        }

        if (schema[maxKey] is JsonValue max && count > Number(max))
        {
            errors.Add(new SchemaError(path, SchemaError.Invalid, $"{path} in body should have at most {max.ToJsonString()} {unit}"));
        }
    }

    private static bool IsInteger(JsonValue value) =>
        value.GetValueKind() == JsonValueKind.Number && Math.Floor(Number(value)) == Number(value);

    /// <summary>A JSON number as a double, whatever CLR type backs the node.</summary>
    private static double Number(JsonValue value) => double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);

    private static string? TypeOf(JsonObject schema) => schema["type"]?.GetValue<string>();

    private static string Kind(JsonNode value) => value switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => IsInteger(v) ? "integer" : "number",
            _ => "boolean",
        },
        _ => "null",
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
