using System.Text.Json.Nodes;
using MeshBridge.Lab.Crds;
using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Schema;

/// <summary>The validator that judges MeshBridge's output must itself reject what the API server rejects.</summary>
public sealed class StructuralSchemaTests
{
    private static JsonNode VirtualServer(string upstream) => JsonNode.Parse(
        """{"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"a"},"spec":{"host":"a.example.com","upstreams":[""" +
        upstream +
        """],"routes":[{"path":"/","action":{"pass":"u"}}]}}""")!;

    [Fact]
    public void A_valid_VirtualServer_has_no_errors()
    {
        Assert.Empty(NicCrds.SchemaFor("VirtualServer").Validate(VirtualServer("""{"name":"u","service":"s","port":80,"use-cluster-ip":true}""")));
    }

    [Fact]
    public void A_wrongly_typed_field_is_reported_with_its_path()
    {
        var errors = NicCrds.SchemaFor("VirtualServer").Validate(VirtualServer("""{"name":"u","service":"s","port":80,"use-cluster-ip":"yes"}"""));

        var error = Assert.Single(errors);
        Assert.Equal("spec.upstreams[0].use-cluster-ip", error.Path);
        Assert.Contains("must be of type boolean", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_field_is_unknown_and_pruned()
    {
        var document = VirtualServer("""{"name":"u","service":"s","port":80,"useClusterIP":true}""");
        var schema = NicCrds.SchemaFor("VirtualServer");

        var error = Assert.Single(schema.Validate(document));
        var pruned = new List<string>();
        var result = schema.Prune(document, pruned);

        Assert.Equal(SchemaError.Unknown, error.Kind);
        Assert.Equal(["spec.upstreams[0].useClusterIP"], pruned);
        Assert.Null(result!["spec"]!["upstreams"]![0]!["useClusterIP"]);
        Assert.NotNull(result["metadata"]);
    }

    [Fact]
    public void An_enum_and_a_pattern_are_enforced()
    {
        var server = VirtualServer("""{"name":"u","service":"s","port":80}""");
        server["spec"]!["add-header-inherit"] = "always";
        var policy = JsonNode.Parse("""{"apiVersion":"k8s.nginx.org/v1","kind":"Policy","metadata":{"name":"p"},"spec":{"cache":{"cacheZoneName":"Bad-Name","cacheZoneSize":"10m"}}}""");

        var enumErrors = NicCrds.SchemaFor("VirtualServer").Validate(server);
        var patternErrors = NicCrds.SchemaFor("Policy").Validate(policy);

        Assert.Contains(enumErrors, e => e.Kind == SchemaError.Unsupported && e.Path == "spec.add-header-inherit");
        Assert.Contains(patternErrors, e => e.Path == "spec.cache.cacheZoneName" && e.Message.Contains("should match", StringComparison.Ordinal));
    }
}
