using System.Globalization;
using System.Text;

namespace MeshBridge.Controller.Operations;

/// <summary>
/// The rules of the Prometheus text exposition format 0.0.4 (prometheus/docs, exposition_formats.md): which names
/// are valid, how label values and help text are escaped, and how numbers are written.
/// </summary>
internal static class PrometheusText
{
    public static void ValidateMetricName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var valid = IsAsciiLetter(c) || c is '_' or ':' || (i > 0 && char.IsAsciiDigit(c));
            if (!valid)
            {
                throw new ArgumentException($"'{name}' is not a valid metric name: it must match [a-zA-Z_:][a-zA-Z0-9_:]*", nameof(name));
            }
        }
    }

    public static void ValidateLabelName(string name, IReadOnlyCollection<string> reserved)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(IsAsciiLetter(c) || c == '_' || (i > 0 && char.IsAsciiDigit(c))))
            {
                throw new ArgumentException($"'{name}' is not a valid label name: it must match [a-zA-Z_][a-zA-Z0-9_]*", nameof(name));
            }
        }

        // Names starting with __ belong to Prometheus itself (__name__, __address__, ...).
        if (name.StartsWith("__", StringComparison.Ordinal) || reserved.Contains(name))
        {
            throw new ArgumentException($"the label name '{name}' is reserved", nameof(name));
        }
    }

    /// <summary>Label values escape backslash, double quote and line feed; nothing else.</summary>
    public static void WriteEscapedLabelValue(TextWriter writer, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': writer.Write("\\\\"); break;
                case '"': writer.Write("\\\""); break;
                case '\n': writer.Write("\\n"); break;
                default: writer.Write(c); break;
            }
        }
    }

    /// <summary>Help text escapes backslash and line feed; a double quote stays as it is.</summary>
    public static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>
    /// Writes <c>name{l1="v1",...} value</c> and a line feed. <paramref name="extraName"/> is a label the family adds
    /// after its own, as a histogram adds <c>le</c> last.
    /// </summary>
    public static void WriteSample(
        TextWriter writer,
        string name,
        IReadOnlyList<string> labelNames,
        IReadOnlyList<string> labelValues,
        double value,
        string? extraName = null,
        string? extraValue = null)
    {
        writer.Write(name);
        if (labelNames.Count > 0 || extraName is not null)
        {
            writer.Write('{');
            for (var i = 0; i < labelNames.Count; i++)
            {
                WriteLabel(writer, i > 0, labelNames[i], labelValues[i]);
            }

            if (extraName is not null)
            {
                WriteLabel(writer, labelNames.Count > 0, extraName, extraValue!);
            }

            writer.Write('}');
        }

        writer.Write(' ');
        writer.Write(FormatValue(value));
        writer.Write('\n');
    }

    /// <summary>
    /// Formats a sample value or <c>le</c> bound as Go's <c>strconv.FormatFloat(v, 'g', -1, 64)</c> does, which is what
    /// client_golang writes: the same <c>le</c> strings as a Go controller keep dashboards and recording rules working
    /// (<c>le="1e-08"</c>, <c>le="9.999999999999999e-06"</c>, <c>le="+Inf"</c>).
    /// </summary>
    public static string FormatValue(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return "0";
        }

        var (digits, decimalPoint) = ShortestDigits(Math.Abs(value));
        var sign = value < 0 ? "-" : string.Empty;
        var exponent = decimalPoint - 1;

        // Go's shortest 'g' uses exponent form when the exponent is below -4 or at least 6 (strconv/ftoa.go, eprec = 6).
        return exponent < -4 || exponent >= 6
            ? sign + ExponentForm(digits, exponent)
            : sign + PlainForm(digits, decimalPoint);
    }

    private static void WriteLabel(TextWriter writer, bool comma, string name, string value)
    {
        if (comma)
        {
            writer.Write(',');
        }

        writer.Write(name);
        writer.Write("=\"");
        WriteEscapedLabelValue(writer, value);
        writer.Write('"');
    }

    /// <summary>The shortest round-trip digits (no leading or trailing zeros) and where the decimal point goes.</summary>
    private static (string Digits, int DecimalPoint) ShortestDigits(double positive)
    {
        // "R" gives the shortest round-trip representation, as mantissa and optional exponent.
        var text = positive.ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = text.IndexOf('E', StringComparison.Ordinal);
        var exponent = exponentAt < 0 ? 0 : int.Parse(text.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var pointAt = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = pointAt < 0 ? mantissa.Length : pointAt;
        var all = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);
        var leadingZeros = all.Length - all.TrimStart('0').Length;
        var digits = all.Trim('0');
        return (digits, integerDigits - leadingZeros + exponent);
    }

    private static string ExponentForm(string digits, int exponent)
    {
        var builder = new StringBuilder();
        builder.Append(digits[0]);
        if (digits.Length > 1)
        {
            builder.Append('.').Append(digits, 1, digits.Length - 1);
        }

        builder.Append('e').Append(exponent < 0 ? '-' : '+');
        builder.Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        return builder.ToString();
    }

    private static string PlainForm(string digits, int decimalPoint)
    {
        if (decimalPoint <= 0)
        {
            return "0." + new string('0', -decimalPoint) + digits;
        }

        return decimalPoint >= digits.Length
            ? digits + new string('0', decimalPoint - digits.Length)
            : digits[..decimalPoint] + "." + digits[decimalPoint..];
    }

    private static bool IsAsciiLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');
}
