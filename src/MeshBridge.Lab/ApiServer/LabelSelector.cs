using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer;

/// <summary>
/// Label selector strings as the API server parses them: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>,
/// <c>a notin (x)</c>, <c>a</c>, <c>!a</c>; a comma outside parentheses means AND.
/// </summary>
public sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> requirements = [];

    private LabelSelector()
    {
    }

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        foreach (var term in SplitTerms(text ?? string.Empty).Select(t => t.Trim()).Where(t => t.Length > 0))
        {
            selector.requirements.Add(Requirement(term));
        }

        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        var labels = (obj["metadata"]?["labels"] as JsonObject)?
            .Where(p => p.Value is JsonValue)
            .ToDictionary(p => p.Key, p => p.Value!.ToString()) ?? [];
        return requirements.All(r => r(labels));
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> Requirement(string term)
    {
        if (term.StartsWith('!'))
        {
            var key = term[1..].Trim();
            return l => !l.ContainsKey(key);
        }

        foreach (var (op, negate) in new[] { (" notin ", true), (" in ", false) })
        {
            var at = term.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                var key = term[..at].Trim();
                var values = term[(at + op.Length)..].Trim().TrimStart('(').TrimEnd(')').Split(',').Select(v => v.Trim()).ToHashSet();
                return negate
                    ? l => !l.TryGetValue(key, out var v) || !values.Contains(v)
                    : l => l.TryGetValue(key, out var v) && values.Contains(v);
            }
        }

        foreach (var (op, negate) in new[] { ("!=", true), ("==", false), ("=", false) })
        {
            var at = term.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                var key = term[..at].Trim();
                var value = term[(at + op.Length)..].Trim();
                return negate
                    ? l => !l.TryGetValue(key, out var v) || v != value
                    : l => l.TryGetValue(key, out var v) && v == value;
            }
        }

        return l => l.ContainsKey(term);
    }

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }
}
