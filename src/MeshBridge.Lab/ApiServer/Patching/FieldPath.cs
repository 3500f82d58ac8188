using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// One field path of server-side apply, kept as the <c>fieldsV1</c> keys that spell it (<c>f:spec</c>,
/// <c>f:host</c>). We only ever produce <c>f:</c> elements — every list of our CRDs is atomic (the NIC CRDs declare
/// no <c>x-kubernetes-list-map-keys</c>), so a list is owned whole — but <c>k:</c>, <c>v:</c> and <c>i:</c> elements
/// read from a client's managedFields survive a round trip. <see cref="ToString"/> prints the path the way
/// structured-merge-diff's fieldpath.Path does in conflict messages: <c>.spec.host</c>.
/// </summary>
public sealed class FieldPath : IEquatable<FieldPath>, IComparable<FieldPath>
{
    internal const string FieldPrefix = "f:";

    private readonly string[] elements;

    public FieldPath(IEnumerable<string> elements)
    {
        this.elements = elements.ToArray();
        foreach (var element in this.elements)
        {
            if (!IsElement(element))
            {
                throw new FormatException($"not a fieldsV1 path element: {element}");
            }
        }
    }

    public static FieldPath Root { get; } = new([]);

    /// <summary>The elements as fieldsV1 keys, outermost first.</summary>
    public IReadOnlyList<string> Elements => elements;

    public int Length => elements.Length;

    /// <summary>A path of plain field names: <c>FieldPath.Of("spec", "host")</c> is <c>.spec.host</c>.</summary>
    public static FieldPath Of(params string[] fieldNames) => new(fieldNames.Select(name => FieldPrefix + name));

    public FieldPath Field(string name) => new([.. elements, FieldPrefix + name]);

    /// <summary>This path with one more element, given as a fieldsV1 key (<c>f:host</c>, <c>k:{"name":"a"}</c>).</summary>
    public FieldPath Extend(string element) => new([.. elements, element]);

    /// <summary>True when <paramref name="other"/> is this path or lies below it.</summary>
    public bool IsPrefixOf(FieldPath other) =>
        other.elements.Length >= elements.Length && elements.AsSpan().SequenceEqual(other.elements.AsSpan(0, elements.Length));

    public bool Equals(FieldPath? other) => other is not null && elements.AsSpan().SequenceEqual(other.elements);

    public override bool Equals(object? obj) => Equals(obj as FieldPath);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var element in elements)
        {
            hash.Add(element, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>
    /// Element by element in ordinal order, a parent before its children: the order in which structured-merge-diff
    /// iterates a set (fields first, by name), and so the order conflicts are listed in.
    /// </summary>
    public int CompareTo(FieldPath? other)
    {
        if (other is null)
        {
            return 1;
        }

        for (var i = 0; i < Math.Min(elements.Length, other.elements.Length); i++)
        {
            var order = string.CompareOrdinal(elements[i], other.elements[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return elements.Length.CompareTo(other.elements.Length);
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var element in elements)
        {
            text.Append(Print(element));
        }

        return text.ToString();
    }

    internal static bool IsElement(string key) =>
        key.Length >= 2 && key[1] == ':' && key[0] is 'f' or 'k' or 'v' or 'i';

    /// <summary>fieldpath.PathElement.String: <c>.name</c>, <c>[key="value",…]</c>, <c>[=value]</c>, <c>[index]</c>.</summary>
    private static string Print(string element)
    {
        var body = element[2..];
        switch (element[0])
        {
            case 'f':
                return "." + body;
            case 'i':
                return $"[{body}]";
            case 'v':
                return $"[={body}]";
            default:
                try
                {
                    var keys = JsonNode.Parse(body)?.AsObject() ?? [];
                    return "[" + string.Join(",", keys.Select(k => $"{k.Key}={k.Value?.ToJsonString() ?? "null"}")) + "]";
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException)
                {
                    return $"[{body}]";
                }
        }
    }
}
