using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshBridge.Controller.Caching;

/// <summary>
/// Reads the top-level <c>trustDomain</c> of an Istio MeshConfig document (ConfigMap <c>istio</c>, key <c>mesh</c>).
/// </summary>
/// <remarks>
/// A real YAML parser (YamlDotNet, the one MeshBridge.Manifests already uses) rather than a line reader: the value
/// may be quoted with escapes, folded over several lines, written in flow style (<c>{trustDomain: x}</c>) or as JSON,
/// or reached through an anchor, and a nested <c>trustDomain</c> (under <c>caCertificates</c>, say) must not be
/// taken for the top-level one. A line reader would misread some of these silently; a parser either reads them as
/// istiod does (sigs.k8s.io/yaml, then protobuf JSON) or reports the document as malformed.
/// </remarks>
internal static partial class MeshConfigReader
{
    private static readonly HashSet<string> Nulls = ["", "~", "null", "Null", "NULL"];

    /// <summary>
    /// The trust domain, or null when the document leaves it unset (istiod then keeps its default); or a problem
    /// when istiod would reject the document.
    /// </summary>
    public static (string? TrustDomain, string? Problem) ReadTrustDomain(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            return (null, $"not valid YAML: line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this when the text ends inside an unclosed flow collection or quote.
            return (null, "not valid YAML: it ends inside an unclosed '[', '{' or quote");
        }

        // sigs.k8s.io/yaml decodes the first document only; a document of comments is an empty MeshConfig.
        var root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        if (root is null || IsNull(root))
        {
            return (null, null);
        }

        if (root is not YamlMappingNode mapping)
        {
            return (null, $"a MeshConfig is a mapping, found a {NodeKind(root)} at line {root.Start.Line}");
        }

        var value = mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "trustDomain" }).Value;
        return value switch
        {
            null => (null, null),
            _ when IsNull(value) => (null, null),
            YamlScalarNode { Value: { Length: 0 } } => (null, $"trustDomain is empty (line {value.Start.Line}); istiod rejects an empty trust domain"),
            YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: { } text } when NotAString(text) =>
                (null, $"trustDomain {text} is not a string (line {value.Start.Line}); quote it if it is meant as one"),
            YamlScalarNode { Value: { } text } => (text, null),
            _ => (null, $"trustDomain must be a string, found a {NodeKind(value)} at line {value.Start.Line}"),
        };
    }

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: var v } && Nulls.Contains(v ?? string.Empty);

    /// <summary>
    /// A plain scalar that YAML 1.1 (go-yaml v2, under sigs.k8s.io/yaml) reads as a boolean or a number, which the
    /// protobuf JSON decoder then refuses for a string field.
    /// </summary>
    private static bool NotAString(string text) => YamlBooleanOrNumber().IsMatch(text);

    private static string NodeKind(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "scalar",
    };

    [GeneratedRegex(@"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?0[0-7_]+|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex YamlBooleanOrNumber();
}
