using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MeshBridge.Manifests;

/// <summary>
/// Plain-scalar resolution as kubectl does it: sigs.k8s.io/yaml decodes with its go-yaml v2 fork, which follows
/// YAML 1.1 (so <c>on</c>, <c>yes</c> and <c>y</c> are booleans, <c>0755</c> is octal). Writing quotes any string
/// that either YAML 1.1 or 1.2 would read as something else, so every tool reads it back as a string.
/// </summary>
internal static partial class YamlScalars
{
    private static readonly HashSet<string> Nulls = ["", "~", "null", "Null", "NULL"];
    private static readonly HashSet<string> Trues = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"];
    private static readonly HashSet<string> Falses = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];

    [GeneratedRegex("^[-+]?(0|[1-9][0-9_]*)$")]
    private static partial Regex Decimal();

    [GeneratedRegex("^[-+]?0x[0-9a-fA-F_]+$")]
    private static partial Regex Hex();

    [GeneratedRegex("^[-+]?0b[01_]+$")]
    private static partial Regex Binary();

    [GeneratedRegex("^[-+]?0[0-7_]+$")]
    private static partial Regex Octal();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    [GeneratedRegex(@"^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|0o[0-7]+|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)$")]
    private static partial Regex OtherTyped();

    public static JsonNode? Resolve(string text)
    {
        if (Nulls.Contains(text))
        {
            return null;
        }

        if (Trues.Contains(text))
        {
            return JsonValue.Create(true);
        }

        if (Falses.Contains(text))
        {
            return JsonValue.Create(false);
        }

        var digits = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (Decimal().IsMatch(text) && long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        if (Hex().IsMatch(text) || Binary().IsMatch(text) || Octal().IsMatch(text))
        {
            return JsonValue.Create(ParseRadix(digits));
        }

        if (Float().IsMatch(text) && double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(text);
    }

    /// <summary>True when a string must be quoted to stay a string for YAML 1.1 and 1.2 readers.</summary>
    public static bool NeedsQuotes(string text) =>
        Resolve(text) is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.String || OtherTyped().IsMatch(text);

    private static long ParseRadix(string digits)
    {
        var negative = digits.StartsWith('-');
        var body = digits.TrimStart('-', '+');
        var value = body.StartsWith("0x", StringComparison.Ordinal) ? Convert.ToInt64(body[2..], 16)
            : body.StartsWith("0b", StringComparison.Ordinal) ? Convert.ToInt64(body[2..], 2)
            : Convert.ToInt64(body, 8);
        return negative ? -value : value;
    }
}
