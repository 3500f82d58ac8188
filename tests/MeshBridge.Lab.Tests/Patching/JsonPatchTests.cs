using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer.Patching;

namespace MeshBridge.Lab.Tests.Patching;

/// <summary>RFC 6902 as kube-apiserver applies it to <c>kubectl patch --type=json</c>.</summary>
public sealed class JsonPatchTests
{
    /// <summary>RFC 6902 Appendix A, the examples that succeed (A.13 is about duplicate keys, a parser concern).</summary>
    public static TheoryData<string, string, string, string> AppendixA => new()
    {
        { "A.1 adding an object member", """{"foo":"bar"}""", """[{"op":"add","path":"/baz","value":"qux"}]""", """{"baz":"qux","foo":"bar"}""" },
        { "A.2 adding an array element", """{"foo":["bar","baz"]}""", """[{"op":"add","path":"/foo/1","value":"qux"}]""", """{"foo":["bar","qux","baz"]}""" },
        { "A.3 removing an object member", """{"baz":"qux","foo":"bar"}""", """[{"op":"remove","path":"/baz"}]""", """{"foo":"bar"}""" },
        { "A.4 removing an array element", """{"foo":["bar","qux","baz"]}""", """[{"op":"remove","path":"/foo/1"}]""", """{"foo":["bar","baz"]}""" },
        { "A.5 replacing a value", """{"baz":"qux","foo":"bar"}""", """[{"op":"replace","path":"/baz","value":"boo"}]""", """{"baz":"boo","foo":"bar"}""" },
        {
            "A.6 moving a value",
            """{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}""",
            """[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]""",
            """{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"""
        },
        { "A.7 moving an array element", """{"foo":["all","grass","cows","eat"]}""", """[{"op":"move","from":"/foo/1","path":"/foo/3"}]""", """{"foo":["all","cows","eat","grass"]}""" },
        {
            "A.8 testing a value: success",
            """{"baz":"qux","foo":["a",2,"c"]}""",
            """[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]""",
            """{"baz":"qux","foo":["a",2,"c"]}"""
        },
        { "A.10 adding a nested member object", """{"foo":"bar"}""", """[{"op":"add","path":"/child","value":{"grandchild":{}}}]""", """{"foo":"bar","child":{"grandchild":{}}}""" },
        { "A.11 ignoring unrecognized elements", """{"foo":"bar"}""", """[{"op":"add","path":"/baz","value":"qux","xyz":123}]""", """{"foo":"bar","baz":"qux"}""" },
        { "A.14 ~ escape ordering", """{"/":9,"~1":10}""", """[{"op":"test","path":"/~01","value":10}]""", """{"/":9,"~1":10}""" },
        { "A.16 adding an array value", """{"foo":["bar"]}""", """[{"op":"add","path":"/foo/-","value":["abc","def"]}]""", """{"foo":["bar",["abc","def"]]}""" },
    };

    [Theory]
    [MemberData(nameof(AppendixA))]
    public void Each_RFC_6902_appendix_A_example_gives_the_documented_document(string example, string document, string patch, string expected)
    {
        Assert.NotEmpty(example);

        var result = JsonPatch.Apply(Json.Node(document), Json.Node(patch));

        Json.Equal(expected, result);
    }

    [Theory]
    [InlineData("A.9 testing a value: error", """{"baz":"qux"}""", """[{"op":"test","path":"/baz","value":"bar"}]""")]
    [InlineData("A.12 adding to a nonexistent target", """{"foo":"bar"}""", """[{"op":"add","path":"/baz/bat","value":"qux"}]""")]
    [InlineData("A.15 comparing strings and numbers", """{"/":9,"~1":10}""", """[{"op":"test","path":"/~01","value":"10"}]""")]
    public void Each_RFC_6902_appendix_A_error_example_is_refused_as_invalid(string example, string document, string patch)
    {
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Node(document), Json.Node(patch)));

        Assert.True(error.Kind == PatchErrorKind.Invalid, example);
    }

    [Fact]
    public void A_pointer_decodes_tilde_one_as_slash_and_tilde_zero_as_tilde()
    {
        var document = Json.Node("""{"metadata":{"annotations":{"meshbridge.io/mode":"sidecar","a~b":"x"}}}""");
        var patch = Json.Node("""
            [{"op":"replace","path":"/metadata/annotations/meshbridge.io~1mode","value":"ambient"},
             {"op":"remove","path":"/metadata/annotations/a~0b"}]
            """);

        var result = JsonPatch.Apply(document, patch);

        Json.Equal("""{"metadata":{"annotations":{"meshbridge.io/mode":"ambient"}}}""", result);
    }

    [Theory]
    [InlineData("/a~2b")]
    [InlineData("/a~")]
    [InlineData("a")]
    public void A_malformed_pointer_is_invalid(string path)
    {
        var patch = new JsonArray(new JsonObject { ["op"] = "add", ["path"] = path, ["value"] = 1 });

        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Node("""{"a~b":0}"""), patch));

        Assert.Equal(PatchErrorKind.Invalid, error.Kind);
    }

    [Fact]
    public void A_failed_test_is_a_422_with_the_API_servers_generic_message_and_empty_details()
    {
        var patch = Json.Node("""[{"op":"test","path":"/spec/host","value":"old.example.com"},{"op":"replace","path":"/spec/host","value":"x"}]""");

        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Node("""{"spec":{"host":"cafe.example.com"}}"""), patch));
        var status = error.ToStatus();

        Assert.Equal("testing value /spec/host failed: test failed", error.Message);
        Assert.Equal(422, status.Code);
        Assert.Equal("Invalid", status.Reason);
        Assert.Equal("Failure", status.Status);
        Assert.Equal("the server rejected our request due to an error in our request", status.Message);
        Assert.NotNull(status.Details);
        Assert.Null(status.Details.Causes);
    }

    [Fact]
    public void Test_compares_numbers_by_value_and_objects_regardless_of_member_order()
    {
        var document = Json.Node("""{"port":1,"tls":{"enable":true,"secret":"s"}}""");
        var patch = Json.Node("""[{"op":"test","path":"/port","value":1.0},{"op":"test","path":"/tls","value":{"secret":"s","enable":true}}]""");

        var result = JsonPatch.Apply(document, patch);

        Json.Equal("""{"port":1,"tls":{"enable":true,"secret":"s"}}""", result);
    }

    [Theory]
    [InlineData("""[{"op":"add","path":"/a/2","value":9}]""", """{"a":[0,1,9]}""")]
    [InlineData("""[{"op":"add","path":"/a/0","value":9}]""", """{"a":[9,0,1]}""")]
    [InlineData("""[{"op":"add","path":"/a/-","value":9}]""", """{"a":[0,1,9]}""")]
    [InlineData("""[{"op":"replace","path":"/a/1","value":9}]""", """{"a":[0,9]}""")]
    public void Array_indexes_follow_RFC_6902_an_add_at_the_length_appends(string patch, string expected)
    {
        Json.Equal(expected, JsonPatch.Apply(Json.Node("""{"a":[0,1]}"""), Json.Node(patch)));
    }

    [Theory]
    [InlineData("""[{"op":"add","path":"/a/3","value":9}]""")]
    [InlineData("""[{"op":"replace","path":"/a/2","value":9}]""")]
    [InlineData("""[{"op":"remove","path":"/a/-"}]""")]
    [InlineData("""[{"op":"remove","path":"/a/01"}]""")]
    [InlineData("""[{"op":"remove","path":"/a/-1"}]""")]
    [InlineData("""[{"op":"remove","path":"/b"}]""")]
    [InlineData("""[{"op":"replace","path":"/b","value":1}]""")]
    [InlineData("""[{"op":"move","from":"/a","path":"/a/0"}]""")]
    [InlineData("""[{"op":"copy","from":"/b","path":"/c"}]""")]
    [InlineData("""[{"op":"add","path":"/b"}]""")]
    [InlineData("""[{"op":"merge","path":"/b","value":1}]""")]
    [InlineData("""[{"path":"/b","value":1}]""")]
    [InlineData("""[{"op":"add","value":1}]""")]
    public void An_operation_that_cannot_apply_is_invalid(string patch)
    {
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Node("""{"a":[0,1]}"""), Json.Node(patch)));

        Assert.Equal(PatchErrorKind.Invalid, error.Kind);
        Assert.Equal(422, error.StatusCode);
    }

    [Theory]
    [InlineData("""{"op":"add","path":"/a","value":1}""", "json: cannot unmarshal object into Go value of type jsonpatch.Patch")]
    [InlineData("""["add"]""", "json: cannot unmarshal string into Go value of type jsonpatch.Operation")]
    public void A_patch_that_is_not_an_array_of_operations_is_a_400_with_the_decode_error(string patch, string message)
    {
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Node("{}"), Json.Node(patch)));

        Assert.Equal(PatchErrorKind.BadRequest, error.Kind);
        Assert.Equal(400, error.ToStatus().Code);
        Assert.Equal("BadRequest", error.ToStatus().Reason);
        Assert.Equal(message, error.ToStatus().Message);
    }

    [Fact]
    public void More_than_ten_thousand_operations_are_refused_as_too_large()
    {
        var patch = new JsonArray(Enumerable.Range(0, JsonPatch.MaxOperations + 1)
            .Select(_ => (JsonNode)new JsonObject { ["op"] = "test", ["path"] = "", ["value"] = new JsonObject() })
            .ToArray());

        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Node("{}"), patch));

        Assert.Equal(413, error.StatusCode);
        Assert.Equal("Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001", error.ToStatus().Message);
    }

    [Fact]
    public void Move_copy_and_whole_document_replace_work_on_copies()
    {
        var document = Json.Node("""{"a":{"b":[1]},"c":0}""");
        var patch = Json.Node("""
            [{"op":"copy","from":"/a","path":"/d"},
             {"op":"add","path":"/d/b/-","value":2},
             {"op":"move","from":"/c","path":"/a/c"}]
            """);

        var result = JsonPatch.Apply(document, patch);
        var replaced = JsonPatch.Apply(result, Json.Node("""[{"op":"replace","path":"","value":{"x":1}}]"""));

        Json.Equal("""{"a":{"b":[1],"c":0},"d":{"b":[1,2]}}""", result);
        Json.Equal("""{"x":1}""", replaced);
    }

    [Fact]
    public void Neither_the_document_nor_the_patch_is_modified()
    {
        var document = Json.Node("""{"spec":{"upstreams":[{"name":"a"}]}}""");
        var patch = Json.Node("""[{"op":"add","path":"/spec/upstreams/-","value":{"name":"b"}},{"op":"replace","path":"/spec/upstreams/0/name","value":"z"}]""");
        var documentBefore = document.ToJsonString();
        var patchBefore = patch.ToJsonString();

        var result = JsonPatch.Apply(document, patch);

        Assert.Equal(documentBefore, document.ToJsonString());
        Assert.Equal(patchBefore, patch.ToJsonString());
        Json.Equal("""{"spec":{"upstreams":[{"name":"z"},{"name":"b"}]}}""", result);
    }

    [Fact]
    public void A_failing_operation_leaves_no_partial_result_behind()
    {
        var document = Json.Node("""{"a":1}""");

        Assert.Throws<PatchException>(() => JsonPatch.Apply(document, Json.Node("""[{"op":"replace","path":"/a","value":2},{"op":"remove","path":"/zz"}]""")));

        Json.Equal("""{"a":1}""", document);
    }
}
