using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Tests.Support;
using MeshBridge.Transform.Model;

namespace MeshBridge.Tests.Model;

public sealed class ModelRoundTripTests
{
    public static TheoryData<string> Kinds => ["VirtualServer", "VirtualServerRoute", "Policy"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_field_of_the_NIC_CRD_survives_reading_and_writing(string kind)
    {
        var document = FullDocument(kind);

        var written = RoundTrip(kind, document);

        Assert.True(JsonNode.DeepEquals(document, written), $"changed by a round trip:\n{document.ToJsonString()}\n{written?.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_sample_really_is_a_valid_object_of_the_CRD(string kind)
    {
        var document = FullDocument(kind);

        // Sample strings do not try to satisfy each field's regex; every other rule must hold.
        var errors = NicCrds.SchemaFor(kind).Validate(document);
        Assert.DoesNotContain(errors, e => !e.Message.Contains("should match", StringComparison.Ordinal));
        Assert.True(CountLeaves(document) > 40, "the sample should exercise the CRD's fields");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Fields_unknown_to_the_CRD_survive_at_every_level(string kind)
    {
        var document = FullDocument(kind);
        var added = SchemaSampler.AddUnknownFields(document, "future-field");

        var written = RoundTrip(kind, document);

        Assert.True(added > 20);
        Assert.True(JsonNode.DeepEquals(document, written), "an unknown field was lost");
    }

    [Fact]
    public void Workload_fields_outside_the_pod_template_labels_survive()
    {
        var text = """
            {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"nic","namespace":"ingress","uid":"u-1","resourceVersion":"42",
             "managedFields":[{"manager":"kubectl","operation":"Apply"}]},
             "spec":{"selector":{"matchLabels":{"app":"nic"}},"updateStrategy":{"type":"RollingUpdate"},
             "template":{"metadata":{"labels":{"app":"nic"}},"spec":{"serviceAccountName":"nic","hostNetwork":true,
               "containers":[{"name":"nic","image":"nginx/nginx-ingress:5.5.4","args":["-ingress-class=nginx"],
                 "ports":[{"name":"http","containerPort":80,"hostPort":80,"protocol":"TCP"}],
                 "securityContext":{"runAsUser":101}}]}}},"status":{"numberReady":3}}
            """;
        var document = JsonNode.Parse(text);

        var written = JsonSerializer.SerializeToNode(document.Deserialize(ModelJsonContext.Default.Workload), ModelJsonContext.Default.Workload);

        Assert.True(JsonNode.DeepEquals(document, written));
    }

    private static JsonNode FullDocument(string kind)
    {
        var document = (JsonObject)SchemaSampler.Sample(NicCrds.OpenApiSchemaFor(kind))!;
        document["apiVersion"] = "k8s.nginx.org/v1";
        document["kind"] = kind;
        document["metadata"] = JsonNode.Parse("""
            {"name":"sample","namespace":"ns","uid":"1f0e","resourceVersion":"17","generation":3,
             "creationTimestamp":"2026-11-01T00:00:00Z","labels":{"a":"b"},"annotations":{"meshbridge.io/mode":"sidecar"},
             "finalizers":["x/y"],"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"o","uid":"9"}]}
            """);
        return document;
    }

    private static JsonNode? RoundTrip(string kind, JsonNode document) => kind switch
    {
        "VirtualServer" => JsonSerializer.SerializeToNode(document.Deserialize(ModelJsonContext.Default.VirtualServer), ModelJsonContext.Default.VirtualServer),
        "VirtualServerRoute" => JsonSerializer.SerializeToNode(document.Deserialize(ModelJsonContext.Default.VirtualServerRoute), ModelJsonContext.Default.VirtualServerRoute),
        _ => JsonSerializer.SerializeToNode(document.Deserialize(ModelJsonContext.Default.Policy), ModelJsonContext.Default.Policy),
    };

    private static int CountLeaves(JsonNode? node) => node switch
    {
        JsonObject map => map.Sum(p => CountLeaves(p.Value)),
        JsonArray array => array.Sum(CountLeaves),
        _ => 1,
    };
}
