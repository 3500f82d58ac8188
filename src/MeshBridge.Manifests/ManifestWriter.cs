using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MeshBridge.Manifests;

/// <summary>Writes JSON nodes as kubectl-style YAML (2-space indent, sequences not indented) or as JSON.</summary>
public static class ManifestWriter
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string ToYaml(JsonNode? node)
    {
        var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, false, false, "\n", false));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    public static string ToJson(JsonNode? node) => (node?.ToJsonString(Indented) ?? "null") + "\n";

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, map.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in map)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case null:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                EmitString(emitter, value.GetValue<string>());
                break;
            default:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, node.ToJsonString(), ScalarStyle.Plain, true, false));
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string text)
    {
        var style = text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
            : YamlScalars.NeedsQuotes(text) ? ScalarStyle.DoubleQuoted
            : ScalarStyle.Any;
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, style, true, true));
    }
}
