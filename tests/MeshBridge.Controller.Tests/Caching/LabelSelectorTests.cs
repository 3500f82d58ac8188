using MeshBridge.Controller.Caching;

namespace MeshBridge.Controller.Tests.Caching;

/// <summary>Selectors as apimachinery's labels.Parse reads them, judged against label sets written as "k=v;k2=v2".</summary>
public sealed class LabelSelectorTests
{
    public static TheoryData<string, string, bool> Matching() => new()
    {
        // Equality: =, == and != (a missing key satisfies != but never =).
        { "env=prod", "env=prod", true },
        { "env=prod", "env=dev", false },
        { "env=prod", "", false },
        { "env==prod", "env=prod", true },
        { "env==prod", "env=dev", false },
        { "env!=prod", "env=dev", true },
        { "env!=prod", "env=prod", false },
        { "env!=prod", "", true },
        { "env=", "env=", true },
        { "env=", "env=prod", false },

        // Sets: in needs the key, notin does not.
        { "env in (prod,staging)", "env=staging", true },
        { "env in (prod,staging)", "env=dev", false },
        { "env in (prod,staging)", "", false },
        { "env notin (prod,staging)", "env=dev", true },
        { "env notin (prod,staging)", "env=prod", false },
        { "env notin (prod,staging)", "", true },
        { "env in ()", "env=", true },
        { "env in (prod,)", "env=", true },
        { "in in (in)", "in=in", true },

        // Existence.
        { "mesh", "mesh=", true },
        { "mesh", "other=x", false },
        { "!mesh", "other=x", true },
        { "!mesh", "mesh=yes", false },

        // Integer comparisons: a missing or non-integer label never matches.
        { "tier>2", "tier=3", true },
        { "tier>2", "tier=2", false },
        { "tier>2", "tier=high", false },
        { "tier>2", "", false },
        { "tier<2", "tier=1", true },
        { "tier<2", "tier=2", false },

        // Comma is AND; whitespace anywhere between tokens; prefixed keys.
        { "env=prod,!legacy", "env=prod", true },
        { "env=prod,!legacy", "env=prod;legacy=true", false },
        { "  env = prod ,  team in ( a , b )  ", "env=prod;team=b", true },
        { "env=prod,team in (a,b)", "env=prod;team=c", false },
        { "istio.io/rev=canary", "istio.io/rev=canary", true },
        { "kubernetes.io/metadata.name notin (kube-system)", "kubernetes.io/metadata.name=demo", true },

        // The empty selector selects everything.
        { "", "", true },
        { "   ", "env=prod", true },
    };

    [Theory]
    [MemberData(nameof(Matching))]
    public void Matches_follows_the_Kubernetes_semantics_of_each_operator(string selector, string labels, bool expected)
    {
        var parsed = LabelSelector.Parse(selector);

        Assert.Equal(expected, parsed.Matches(Labels(labels)));
    }

    [Fact]
    public void Null_labels_are_the_empty_label_set()
    {
        Assert.True(LabelSelector.Parse("!mesh").Matches(null));
        Assert.False(LabelSelector.Parse("mesh").Matches(null));
    }

    [Theory]
    [InlineData("env == prod , team in (b, a, a)", "env=prod,team in (b,a)")]
    [InlineData("!  legacy,tier > 3", "!legacy,tier>3")]
    [InlineData("a notin ()", "a notin ()")]
    public void ToString_is_the_canonical_form(string selector, string expected)
    {
        Assert.Equal(expected, LabelSelector.Parse(selector).ToString());
    }

    public static TheoryData<string, string> Invalid() => new()
    {
        { "env=prod,", "position 10: expected a label key or '!' after ',', found the end of the selector" },
        { ",env", "position 1: expected a label key or '!', found \",\"" },
        { "env=prod,,team", "position 10: expected a label key or '!' after ','" },
        { "env prod", "position 5: expected an operator (=, ==, !=, in, notin, >, <), ',' or the end after the key \"env\", found \"prod\"" },
        { "env in prod", "position 8: expected '(' after \"in\", found \"prod\"" },
        { "env notin (a,b", "position 15: expected ',' or ')' in the value list of \"notin\", found the end of the selector" },
        { "env in (a b)", "position 11: expected ',' or ')' in the value list of \"in\", found \"b\"" },
        { "env=(a)", "position 5: expected a value after \"=\", found \"(\"" },
        { "env=a b", "position 7: expected ',' or the end after a requirement, found \"b\"" },
        { "!env=prod", "position 5: \"!env\" takes no operator or value; expected ',' or the end, found \"=\"" },
        { "!", "position 2: expected a label key after '!', found the end of the selector" },
        { "tier>high", "position 6: \">\" needs an integer value, found \"high\"" },
        { "tier<", "position 6: \"<\" needs an integer value, found the end of the selector" },
        { "Istio.IO/rev=x", "position 1: invalid label key \"Istio.IO/rev\": the prefix before '/' must be a lowercase DNS subdomain" },
        { "a/b/c", "position 1: invalid label key \"a/b/c\": at most one '/'" },
        { "-env=x", "position 1: invalid label key \"-env\": the name must be 1-63 characters" },
        { "/env", "position 1: invalid label key \"/env\": the prefix before '/' must be a lowercase DNS subdomain" },
        { "env=-prod", "position 5: invalid label value \"-prod\" for key \"env\"" },
        { "env in (ok,bad!)", "position 15: expected ',' or ')' in the value list of \"in\", found \"!\"" },
        { "env in (ok,bad_)", "position 12: invalid label value \"bad_\" for key \"env\"" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Parse_rejects_a_malformed_selector_naming_the_position_and_the_problem(string selector, string expected)
    {
        var e = Assert.Throws<FormatException>(() => LabelSelector.Parse(selector));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_rejects_keys_and_values_over_63_characters()
    {
        var longName = new string('a', 64);

        var key = Assert.Throws<FormatException>(() => LabelSelector.Parse($"{longName}=x"));
        var value = Assert.Throws<FormatException>(() => LabelSelector.Parse($"x={longName}"));

        Assert.Contains("invalid label key", key.Message, StringComparison.Ordinal);
        Assert.Contains("invalid label value", value.Message, StringComparison.Ordinal);
        Assert.Equal(longName[..63], LabelSelector.Parse($"x={longName[..63]}").ToString()[2..]);
    }

    private static Dictionary<string, string> Labels(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
}
