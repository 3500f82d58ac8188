using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// An RFC 6901 JSON Pointer: <c>""</c> is the whole document, every other pointer is <c>/</c>-separated reference
/// tokens in which <c>~1</c> stands for <c>/</c> and <c>~0</c> for <c>~</c>.
/// </summary>
internal sealed class JsonPointer
{
    /// <summary>RFC 6902 §4.1: <c>-</c> names the position after the last array element.</summary>
    public const string EndOfArray = "-";

    private JsonPointer(string text, IReadOnlyList<string> tokens)
    {
        Text = text;
        Tokens = tokens;
    }

    public string Text { get; }

    public IReadOnlyList<string> Tokens { get; }

    public bool IsRoot => Tokens.Count == 0;

    public string Last => Tokens[^1];

    public JsonPointer Parent => new(Text[..Text.LastIndexOf('/')], Tokens.Take(Tokens.Count - 1).ToArray());

    public static JsonPointer Parse(string text)
    {
        if (text.Length == 0)
        {
            return new JsonPointer(text, []);
        }

        if (text[0] != '/')
        {
            throw new PatchException($"JSON pointer must be empty or start with a \"/\": {text}");
        }

        return new JsonPointer(text, text[1..].Split('/').Select(token => Unescape(token, text)).ToArray());
    }

    /// <summary>True when this pointer names a member or element strictly inside <paramref name="other"/>.</summary>
    public bool IsProperChildOf(JsonPointer other) =>
        Tokens.Count > other.Tokens.Count && other.Tokens.SequenceEqual(Tokens.Take(other.Tokens.Count), StringComparer.Ordinal);

    /// <summary>Resolves the pointer; false when a member or element on the way does not exist.</summary>
    public bool TryResolve(JsonNode? document, out JsonNode? value)
    {
        value = document;
        foreach (var token in Tokens)
        {
            switch (value)
            {
                case JsonObject map when map.TryGetPropertyValue(token, out var member):
                    value = member;
                    break;
                case JsonArray array when TryParseIndex(token, out var index) && index < array.Count:
                    value = array[index];
                    break;
                default:
                    value = null;
                    return false;
            }
        }

        return true;
    }

    /// <summary>
    /// An array index as RFC 6901 §4 allows it: decimal digits without a leading zero (so no sign, no <c>01</c>).
    /// </summary>
    public static bool TryParseIndex(string token, out int index)
    {
        index = -1;
        if (token.Length == 0 || token.Length > 9 || (token.Length > 1 && token[0] == '0') || !token.All(char.IsAsciiDigit))
        {
            return false;
        }

        index = int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }

    public override string ToString() => Text;

    private static string Unescape(string token, string pointer)
    {
        if (!token.Contains('~', StringComparison.Ordinal))
        {
            return token;
        }

        // RFC 6901 §4: "~1" is decoded before "~0", so "~01" is the text "~1", not "/"; any other "~" is an error.
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '~' && (i + 1 == token.Length || token[i + 1] is not ('0' or '1')))
            {
                throw new PatchException($"invalid escape in JSON pointer {pointer}: \"~\" must be followed by 0 or 1");
            }
        }

        return token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
    }
}
