using System.Globalization;
using System.Text.RegularExpressions;

namespace MeshBridge.Controller.Caching;

/// <summary>
/// A Kubernetes label selector in its string form, with the grammar and matching rules of apimachinery's
/// <c>labels.Parse</c> (k8s.io/apimachinery/pkg/labels/selector.go): <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>,
/// <c>a in (x,y)</c>, <c>a notin (x,y)</c>, <c>a</c>, <c>!a</c>, <c>a&gt;1</c>, <c>a&lt;1</c>; a comma is AND;
/// whitespace between tokens is ignored. An empty selector matches every label set. Keys and values are validated as
/// the API server validates them, so a selector accepted here is one kubectl's <c>-l</c> would accept.
/// </summary>
public sealed partial class LabelSelector
{
    private readonly IReadOnlyList<Requirement> requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => this.requirements = requirements;

    /// <summary>True when the selector has no requirement and so selects everything.</summary>
    public bool IsEmpty => requirements.Count == 0;

    /// <summary>Parses a selector; a <see cref="FormatException"/> names the 1-based position and what was expected there.</summary>
    public static LabelSelector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new LabelSelector(new LabelSelectorParser(text).Parse());
    }

    /// <summary>Whether every requirement holds for these labels (null is the empty label set).</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        return requirements.All(r => r.Matches(labels));
    }

    /// <summary>The selector in canonical form (requirements in the order given).</summary>
    public override string ToString() => string.Join(",", requirements.Select(r => r.ToString()));

    internal enum Operator
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
        GreaterThan,
        LessThan,
    }

    internal sealed record Requirement(string Key, Operator Op, IReadOnlyList<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                Operator.Equals or Operator.In => has && Values.Contains(value!, StringComparer.Ordinal),
                Operator.NotEquals or Operator.NotIn => !has || !Values.Contains(value!, StringComparer.Ordinal),
                Operator.Exists => has,
                Operator.DoesNotExist => !has,
                // apimachinery: a label that is missing or not an integer never satisfies > or <.
                Operator.GreaterThan => has && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var g) && g > Bound(),
                Operator.LessThan => has && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && l < Bound(),
                _ => false,
            };
        }

        public override string ToString() => Op switch
        {
            Operator.Equals => $"{Key}={Values[0]}",
            Operator.NotEquals => $"{Key}!={Values[0]}",
            Operator.In => $"{Key} in ({string.Join(",", Values)})",
            Operator.NotIn => $"{Key} notin ({string.Join(",", Values)})",
            Operator.DoesNotExist => $"!{Key}",
            Operator.GreaterThan => $"{Key}>{Values[0]}",
            Operator.LessThan => $"{Key}<{Values[0]}",
            _ => Key,
        };

        private long Bound() => long.Parse(Values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    // IsQualifiedName and IsValidLabelValue (k8s.io/apimachinery/pkg/util/validation).
    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    internal static partial Regex QualifiedNamePart();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    internal static partial Regex DnsSubdomain();
}
