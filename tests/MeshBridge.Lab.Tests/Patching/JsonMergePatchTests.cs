using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer.Patching;

namespace MeshBridge.Lab.Tests.Patching;

/// <summary>RFC 7386 as kube-apiserver applies it to <c>kubectl patch --type=merge</c>, annotate and label.</summary>
public sealed class JsonMergePatchTests
{
    /// <summary>RFC 7386 Appendix A, every row whose patch is not null (that row has its own test).</summary>
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", "\"bar\"", "\"bar\"")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Each_RFC_7386_appendix_A_example_gives_the_documented_result(string target, string patch, string expected)
    {
        Json.Equal(expected, JsonMergePatch.Apply(Json.Node(target), Json.Node(patch)));
    }

    [Fact]
    public void A_null_patch_replaces_the_target_with_null()
    {
        var nullPatch = JsonNode.Parse("null");

        Assert.Null(JsonMergePatch.Apply(Json.Node("""{"a":"foo"}"""), nullPatch!));
    }

    [Fact]
    public void A_missing_target_is_built_from_the_patch_without_its_nulls()
    {
        Json.Equal("""{"spec":{"host":"a"}}""", JsonMergePatch.Apply(null, Json.Node("""{"spec":{"host":"a","tls":null}}""")));
    }

    [Fact]
    public void Annotate_with_a_trailing_dash_removes_only_that_annotation()
    {
        var live = Json.Node("""{"metadata":{"name":"tea","annotations":{"k":"v","keep":"1"}},"spec":{"upstreams":[{"name":"a"},{"name":"b"}]}}""");

        var result = JsonMergePatch.Apply(live, Json.Node("""{"metadata":{"annotations":{"k":null}},"spec":{"upstreams":[{"name":"c"}]}}"""));

        Json.Equal("""{"metadata":{"name":"tea","annotations":{"keep":"1"}},"spec":{"upstreams":[{"name":"c"}]}}""", result);
    }

    [Fact]
    public void Neither_the_target_nor_the_patch_is_modified()
    {
        var target = Json.Node("""{"a":{"b":1,"c":2},"d":[1]}""");
        var patch = Json.Node("""{"a":{"b":null,"e":{"f":1}},"d":[2]}""");
        var targetBefore = target.ToJsonString();
        var patchBefore = patch.ToJsonString();

        var result = JsonMergePatch.Apply(target, patch);
        result!["a"]!["e"]!["f"] = 99;

        Assert.Equal(targetBefore, target.ToJsonString());
        Assert.Equal(patchBefore, patch.ToJsonString());
    }
}
