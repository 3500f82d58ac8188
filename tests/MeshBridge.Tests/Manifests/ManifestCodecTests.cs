using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Manifests;

namespace MeshBridge.Tests.Manifests;

public sealed class ManifestCodecTests
{
    [Theory]
    [InlineData("on", "true")]
    [InlineData("yes", "true")]
    [InlineData("y", "true")]
    [InlineData("Off", "false")]
    [InlineData("\"on\"", "\"on\"")]
    [InlineData("8081", "8081")]
    [InlineData("0x1F", "31")]
    [InlineData("0755", "493")]
    [InlineData("1.5", "1.5")]
    [InlineData("~", "null")]
    [InlineData("80,443", "\"80,443\"")]
    [InlineData("'8081'", "\"8081\"")]
    [InlineData("!!str 42", "\"42\"")]
    public void Plain_scalars_resolve_as_kubectl_reads_them(string yaml, string json)
    {
        var document = ManifestReader.Read($"value: {yaml}\n", "t.yaml").Single();

        Assert.Equal(json, document.Node!["value"]?.ToJsonString() ?? "null");
    }

    [Theory]
    [InlineData("on")]
    [InlineData("yes")]
    [InlineData("y")]
    [InlineData("8081")]
    [InlineData("1e3")]
    [InlineData("0o17")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("2026-11-22")]
    [InlineData("12:30")]
    [InlineData("a: b")]
    [InlineData("#hash")]
    [InlineData("- item")]
    [InlineData(" leading space")]
    [InlineData("multi\nline\n")]
    [InlineData("quote \" and \\ backslash")]
    [InlineData("holdApplicationUntilProxyStarts: true")]
    public void A_string_written_as_yaml_reads_back_as_the_same_string(string text)
    {
        var yaml = ManifestWriter.ToYaml(new JsonObject { ["value"] = text });

        var back = ManifestReader.Read(yaml, "t.yaml").Single().Node!["value"];

        Assert.Equal(JsonValueKind.String, back!.GetValueKind());
        Assert.Equal(text, back.GetValue<string>());
    }

    [Fact]
    public void Documents_keep_their_order_text_and_location()
    {
        var text = "# first\na: 1\n---\n---\n# only a comment\n---\nb: [x, z]\n";

        var documents = ManifestReader.Read(text, "f.yaml");

        Assert.Equal(["f.yaml#1", "f.yaml#2", "f.yaml#3"], documents.Select(d => d.Location));
        Assert.StartsWith("# first", documents[0].Text, StringComparison.Ordinal);
        Assert.Null(documents[1].Node);
        Assert.Contains("# only a comment", documents[1].Text, StringComparison.Ordinal);
        Assert.Equal("""{"b":["x","z"]}""", documents[2].Node!.ToJsonString());
    }

    [Fact]
    public void Anchors_and_aliases_are_expanded()
    {
        var document = ManifestReader.Read("base: &b {port: 80}\ncopy: *b\n", "f.yaml").Single();

        Assert.Equal("""{"base":{"port":80},"copy":{"port":80}}""", document.Node!.ToJsonString());
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_line()
    {
        var error = Assert.Throws<ManifestFormatException>(() => ManifestReader.Read("a: 1\nb: [unclosed\nc: 2\n", "bad.yaml"));

        Assert.StartsWith("bad.yaml: line ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_is_an_error_as_in_kubectl()
    {
        var error = Assert.Throws<ManifestFormatException>(() => ManifestReader.Read("a: 1\na: 2\n", "dup.yaml"));

        Assert.Contains("duplicate key \"a\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rewritten_objects_keep_the_original_key_order_with_new_keys_last()
    {
        var original = JsonNode.Parse("""{"spec":{"routes":[],"host":"h","upstreams":[{"port":80,"name":"a"}]},"kind":"VirtualServer"}""");
        var updated = JsonNode.Parse("""{"kind":"VirtualServer","spec":{"host":"h","policies":[{"name":"p"}],"upstreams":[{"name":"a","port":80,"use-cluster-ip":true}],"routes":[]}}""");

        var ordered = JsonOrder.LikeOriginal(updated, original);

        Assert.Equal(
            """{"spec":{"routes":[],"host":"h","upstreams":[{"port":80,"name":"a","use-cluster-ip":true}],"policies":[{"name":"p"}]},"kind":"VirtualServer"}""",
            ordered!.ToJsonString());
    }
}
