using MeshBridge.Lab.ApiServer.Patching;

namespace MeshBridge.Lab.Tests.Patching;

/// <summary>Field sets and their <c>fieldsV1</c> wire form, as managedFields carry them.</summary>
public sealed class FieldSetTests
{
    [Fact]
    public void An_applied_config_owns_its_leaves_whole_lists_and_single_labels_but_not_server_owned_metadata()
    {
        var applied = Json.Object("""
            {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer",
             "metadata":{"name":"tea","namespace":"app","resourceVersion":"7","uid":"u","generation":2,"creationTimestamp":"2025-05-15T08:27:33Z",
                         "labels":{"app":"tea","app.kubernetes.io/name":"tea"},"annotations":{"meshbridge.io/mode":"sidecar"}},
             "spec":{"host":"tea.example.com","tls":{},"upstreams":[{"name":"tea","service":"tea-svc","port":80}]}}
            """);

        var set = FieldSet.FromObject(applied);

        Assert.Equal(
            [".metadata.annotations.meshbridge.io/mode", ".metadata.labels.app", ".metadata.labels.app.kubernetes.io/name", ".spec.host", ".spec.upstreams"],
            set.Paths.Select(path => path.ToString()));
    }

    [Fact]
    public void Fields_v1_writes_leaves_as_empty_objects_and_an_owned_map_with_children_as_a_dot()
    {
        var set = FieldSet.Of(
            FieldPath.Of("spec", "upstreams"),
            FieldPath.Of("spec", "host"),
            FieldPath.Of("metadata", "labels"),
            FieldPath.Of("metadata", "labels", "app"));

        var fieldsV1 = set.ToFieldsV1();

        Assert.Equal(
            """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:host":{},"f:upstreams":{}}}""",
            fieldsV1.ToJsonString());
    }

    [Fact]
    public void Fields_v1_read_back_gives_the_same_set_including_elements_we_never_produce()
    {
        var wire = """{"f:metadata":{"f:labels":{".":{},"f:app":{}},"f:ownerReferences":{"k:{\"uid\":\"1\"}":{".":{},"f:name":{}}}},"f:spec":{"f:host":{}}}""";

        var set = FieldSet.FromFieldsV1(Json.Object(wire));

        Assert.Equal(
            [".metadata.labels", ".metadata.labels.app", ".metadata.ownerReferences[uid=\"1\"]", ".metadata.ownerReferences[uid=\"1\"].name", ".spec.host"],
            set.Paths.Select(path => path.ToString()));
        Json.Equal(wire, set.ToFieldsV1());
        Assert.Equal(set, FieldSet.FromFieldsV1(set.ToFieldsV1()));
    }

    [Theory]
    [InlineData("""{"spec":{}}""")]
    [InlineData("""{"f:spec":{"host":{}}}""")]
    [InlineData("""{"f:spec":{"f:host":true}}""")]
    public void Fields_v1_with_a_key_that_is_not_a_path_element_is_refused(string wire)
    {
        Assert.Throws<FormatException>(() => FieldSet.FromFieldsV1(Json.Object(wire)));
    }

    [Fact]
    public void Set_operations_treat_paths_by_value()
    {
        var left = FieldSet.Of(FieldPath.Of("spec", "a"), FieldPath.Of("spec", "b"));
        var right = FieldSet.Of(FieldPath.Of("spec", "b"), FieldPath.Of("spec", "c"));

        Assert.Equal(FieldSet.Of(FieldPath.Of("spec", "b")), left.Intersect(right));
        Assert.Equal(FieldSet.Of(FieldPath.Of("spec", "a")), left.Except(right));
        Assert.Equal(3, left.Union(right).Count);
        Assert.True(FieldPath.Of("spec").IsPrefixOf(FieldPath.Of("spec", "a")));
        Assert.False(FieldPath.Of("spec", "a").IsPrefixOf(FieldPath.Of("spec")));
    }

    [Fact]
    public void A_managed_fields_entry_has_the_wire_shape_and_reads_back_equal()
    {
        var entry = new ManagedFieldsEntry(
            "kubectl",
            ManagedFieldsOperation.Update,
            "k8s.nginx.org/v1",
            new DateTimeOffset(2025, 5, 15, 8, 27, 33, TimeSpan.Zero),
            FieldSet.Of(FieldPath.Of("status", "state")),
            "status");

        var json = entry.ToJson();

        Assert.Equal(
            """{"manager":"kubectl","operation":"Update","apiVersion":"k8s.nginx.org/v1","time":"2025-05-15T08:27:33Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:state":{}}},"subresource":"status"}""",
            json.ToJsonString());
        Assert.Equal(entry, ManagedFieldsEntry.FromJson(json));
        Assert.Equal("\"kubectl\" with subresource \"status\" using k8s.nginx.org/v1", entry.Description);
    }

    [Fact]
    public void A_managed_fields_entry_with_an_unknown_operation_is_refused()
    {
        Assert.Throws<FormatException>(() => ManagedFieldsEntry.FromJson(Json.Object("""{"manager":"m","operation":"Patch","fieldsType":"FieldsV1","fieldsV1":{}}""")));
    }
}
