using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MeshBridge.Manifests;

/// <summary>Reads a multi-document YAML (or JSON, a subset of YAML) stream into documents.</summary>
public static class ManifestReader
{
    public static IReadOnlyList<ManifestDocument> Read(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var documents = new List<ManifestDocument>();
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            var previousEnd = 0;
            while (parser.TryConsume<DocumentStart>(out var start))
            {
                var anchors = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
                JsonNode? node = null;
                if (!parser.Accept<DocumentEnd>(out _))
                {
                    node = ReadNode(parser, anchors);
                }

                var end = parser.Consume<DocumentEnd>();
                // From the previous document's end, so comments above a document stay with it.
                var from = previousEnd;
                var to = Math.Max(from, (int)end.End.Index);
                previousEnd = to;
                var body = text[from..to];
                // A document of comments only is kept (it passes through); an empty one is not.
                if (node is not null || body.Split('\n').Any(l => l.TrimStart().StartsWith('#')))
                {
                    documents.Add(new ManifestDocument(source, documents.Count + 1, body, node));
                }
            }

            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            throw new ManifestFormatException($"{source}: line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this when the text ends inside an unclosed flow collection or quote.
            var at = parser.Current?.Start;
            var where = at is { } mark ? $"line {mark.Line}, column {mark.Column}" : "end of input";
            throw new ManifestFormatException($"{source}: {where}: the YAML is not well-formed (an unclosed '[', '{{' or quote?)", e);
        }

        return documents;
    }

    private static JsonNode? ReadNode(IParser parser, Dictionary<string, JsonNode?> anchors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out var target))
            {
                throw new YamlException(alias.Start, alias.End, $"unknown alias *{alias.Value.Value}");
            }

            return target?.DeepClone();
        }

        JsonNode? node;
        AnchorName anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor;
            node = ScalarNode(scalar);
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            anchor = sequenceStart.Anchor;
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(ReadNode(parser, anchors));
            }

            node = array;
        }
        else
        {
            var mappingStart = parser.Consume<MappingStart>();
            anchor = mappingStart.Anchor;
            var map = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyEvent = parser.Current;
                var key = ReadNode(parser, anchors);
                var keyText = key is JsonValue v ? v.ToString() : key?.ToJsonString() ?? "null";
                if (map.ContainsKey(keyText))
                {
                    throw new YamlException(keyEvent!.Start, keyEvent.End, $"duplicate key \"{keyText}\"");
                }

                map[keyText] = ReadNode(parser, anchors);
            }

            node = map;
        }

        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node?.DeepClone();
        }

        return node;
    }

    private static JsonNode? ScalarNode(Scalar scalar)
    {
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        return tag switch
        {
            "tag:yaml.org,2002:str" or "tag:yaml.org,2002:binary" => JsonValue.Create(scalar.Value),
            "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float" or "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:null" => YamlScalars.Resolve(scalar.Value),
            _ when scalar.Style is ScalarStyle.Plain => YamlScalars.Resolve(scalar.Value),
            _ => JsonValue.Create(scalar.Value),
        };
    }
}
