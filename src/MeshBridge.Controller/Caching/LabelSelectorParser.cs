using System.Globalization;
using static MeshBridge.Controller.Caching.LabelSelector;

namespace MeshBridge.Controller.Caching;

/// <summary>
/// The lexer and recursive-descent parser behind <see cref="LabelSelector.Parse"/>, following apimachinery's
/// <c>labels.Parser</c>: identifiers are runs of anything but whitespace and <c>!=&lt;&gt;(),</c>; <c>in</c> and
/// <c>notin</c> are keywords only where an operator is expected; an empty element of a value list is the empty value
/// (<c>a in ()</c> selects <c>a=""</c>, as upstream).
/// </summary>
internal sealed class LabelSelectorParser
{
    private readonly List<Token> tokens;
    private int next;

    public LabelSelectorParser(string text) => tokens = Lex(text);

    private enum Kind
    {
        Identifier,
        Not,
        Equals,
        DoubleEquals,
        NotEquals,
        Greater,
        Less,
        Open,
        Close,
        Comma,
        End,
    }

    private Token Peek => tokens[next];

    public List<Requirement> Parse()
    {
        var requirements = new List<Requirement>();
        if (Peek.Kind == Kind.End)
        {
            return requirements;
        }

        while (true)
        {
            requirements.Add(ParseRequirement());
            var separator = Take();
            if (separator.Kind == Kind.End)
            {
                return requirements;
            }

            if (separator.Kind != Kind.Comma)
            {
                throw Error(separator, "expected ',' or the end after a requirement");
            }

            if (Peek.Kind is not (Kind.Identifier or Kind.Not))
            {
                throw Error(Peek, "expected a label key or '!' after ','");
            }
        }
    }

    private Requirement ParseRequirement()
    {
        var key = Take();
        var negated = key.Kind == Kind.Not;
        if (negated)
        {
            key = Take();
        }

        if (key.Kind != Kind.Identifier)
        {
            throw Error(key, negated ? "expected a label key after '!'" : "expected a label key or '!'");
        }

        ValidateKey(key);
        if (Peek.Kind is Kind.End or Kind.Comma)
        {
            return new Requirement(key.Text, negated ? Operator.DoesNotExist : Operator.Exists, []);
        }

        if (negated)
        {
            throw Error(Peek, $"\"!{key.Text}\" takes no operator or value; expected ',' or the end");
        }

        var op = Take();
        return op switch
        {
            { Kind: Kind.Identifier, Text: "in" } => new Requirement(key.Text, Operator.In, ParseList(key, op)),
            { Kind: Kind.Identifier, Text: "notin" } => new Requirement(key.Text, Operator.NotIn, ParseList(key, op)),
            { Kind: Kind.Equals or Kind.DoubleEquals } => new Requirement(key.Text, Operator.Equals, [ParseExact(key, op)]),
            { Kind: Kind.NotEquals } => new Requirement(key.Text, Operator.NotEquals, [ParseExact(key, op)]),
            { Kind: Kind.Greater } => new Requirement(key.Text, Operator.GreaterThan, [ParseInteger(key, op)]),
            { Kind: Kind.Less } => new Requirement(key.Text, Operator.LessThan, [ParseInteger(key, op)]),
            _ => throw Error(op, $"expected an operator (=, ==, !=, in, notin, >, <), ',' or the end after the key \"{key.Text}\""),
        };
    }

    /// <summary>The value after =, == or !=; nothing before ',' or the end is the empty value (<c>a=</c>).</summary>
    private string ParseExact(Token key, Token op)
    {
        if (Peek.Kind is Kind.End or Kind.Comma)
        {
            return string.Empty;
        }

        var value = Take();
        if (value.Kind != Kind.Identifier)
        {
            throw Error(value, $"expected a value after \"{op.Text}\"");
        }

        ValidateValue(key, value);
        return value.Text;
    }

    private string ParseInteger(Token key, Token op)
    {
        var at = Peek;
        var value = ParseExact(key, op);
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw new FormatException($"position {at.Position}: \"{op.Text}\" needs an integer value, found {Describe(at)}");
        }

        return value;
    }

    private List<string> ParseList(Token key, Token op)
    {
        var open = Take();
        if (open.Kind != Kind.Open)
        {
            throw Error(open, $"expected '(' after \"{op.Text}\"");
        }

        var values = new List<string>();
        while (true)
        {
            var value = string.Empty;
            if (Peek.Kind == Kind.Identifier)
            {
                var token = Take();
                ValidateValue(key, token);
                value = token.Text;
            }

            if (!values.Contains(value, StringComparer.Ordinal))
            {
                values.Add(value);
            }

            var separator = Take();
            if (separator.Kind == Kind.Close)
            {
                return values;
            }

            if (separator.Kind != Kind.Comma)
            {
                throw Error(separator, $"expected ',' or ')' in the value list of \"{op.Text}\"");
            }
        }
    }

    private Token Take() => tokens[Math.Min(next++, tokens.Count - 1)];

    private static void ValidateKey(Token key)
    {
        var parts = key.Text.Split('/');
        string? problem = null;
        if (parts.Length > 2)
        {
            problem = "at most one '/' may separate a prefix from the name";
        }
        else if (parts.Length == 2 && (parts[0].Length is 0 or > 253 || !DnsSubdomain().IsMatch(parts[0])))
        {
            problem = "the prefix before '/' must be a lowercase DNS subdomain (RFC 1123) of at most 253 characters";
        }
        else if (parts[^1].Length > 63 || !QualifiedNamePart().IsMatch(parts[^1]))
        {
            problem = "the name must be 1-63 characters, start and end with a letter or digit, and contain only letters, digits, '-', '_' or '.'";
        }

        if (problem is not null)
        {
            throw new FormatException($"position {key.Position}: invalid label key \"{key.Text}\": {problem}");
        }
    }

    private static void ValidateValue(Token key, Token value)
    {
        if (value.Text.Length > 63 || (value.Text.Length > 0 && !QualifiedNamePart().IsMatch(value.Text)))
        {
            throw new FormatException(
                $"position {value.Position}: invalid label value \"{value.Text}\" for key \"{key.Text}\": a value must be empty or at most 63 characters, " +
                "start and end with a letter or digit, and contain only letters, digits, '-', '_' or '.'");
        }
    }

    private static FormatException Error(Token found, string expected) =>
        new($"position {found.Position}: {expected}, found {Describe(found)}");

    private static string Describe(Token token) => token.Kind == Kind.End ? "the end of the selector" : $"\"{token.Text}\"";

    private static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            var twoCharacters = i + 1 < text.Length && text[i + 1] == '=';
            (Kind kind, int length) = c switch
            {
                '!' when twoCharacters => (Kind.NotEquals, 2),
                '!' => (Kind.Not, 1),
                '=' when twoCharacters => (Kind.DoubleEquals, 2),
                '=' => (Kind.Equals, 1),
                '>' => (Kind.Greater, 1),
                '<' => (Kind.Less, 1),
                '(' => (Kind.Open, 1),
                ')' => (Kind.Close, 1),
                ',' => (Kind.Comma, 1),
                _ => (Kind.Identifier, IdentifierLength(text, i)),
            };
            i += length;
            tokens.Add(new Token(kind, text[start..i], start + 1));
        }

        tokens.Add(new Token(Kind.End, string.Empty, text.Length + 1));
        return tokens;
    }

    private static int IdentifierLength(string text, int start)
    {
        var end = start;
        while (end < text.Length && !char.IsWhiteSpace(text[end]) && "!=<>(),".IndexOf(text[end], StringComparison.Ordinal) < 0)
        {
            end++;
        }

        return end - start;
    }

    /// <summary>A token and its 1-based position in the selector text.</summary>
    private readonly record struct Token(Kind Kind, string Text, int Position);
}
