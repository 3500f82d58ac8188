using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer.Patching;

namespace MeshBridge.Lab.Tests.Patching;

/// <summary>Ownership recorded for writes that are not applies: create, update, JSON and merge patches.</summary>
public sealed class RecordUpdateTests
{
    private const string Version = "k8s.nginx.org/v1";
    private static readonly DateTimeOffset T0 = new(2025, 5, 15, 8, 27, 33, TimeSpan.Zero);

    private static JsonObject VirtualServer(string spec) => Json.Object(
        $$$"""{"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"tea","namespace":"app","uid":"u1","resourceVersion":"5","labels":{"app":"tea"}},"spec":{{{spec}}}}""");

    private static UpdateOutcome Create(JsonObject obj, string manager = "kubectl-create") =>
        ServerSideApply.RecordUpdate(null, obj, manager, null, [], Version, T0);

    private static UpdateOutcome Patch(UpdateOutcome live, string mergePatch, string manager, int minutesLater = 1, string? subresource = null)
    {
        var after = JsonMergePatch.Apply(live.Object, Json.Node(mergePatch))!.AsObject();
        return ServerSideApply.RecordUpdate(live.Object, after, manager, subresource, live.ManagedFields, Version, T0.AddMinutes(minutesLater));
    }

    [Fact]
    public void A_create_gives_the_creator_every_field_and_marks_the_maps_it_created()
    {
        var created = Create(VirtualServer("""{"host":"tea.example.com","upstreams":[{"name":"tea"}]}"""));

        var entry = Assert.Single(created.ManagedFields);
        Assert.Equal(("kubectl-create", ManagedFieldsOperation.Update, Version), (entry.Manager, entry.Operation, entry.ApiVersion));
        Assert.Equal(
            """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:host":{},"f:upstreams":{}}}""",
            entry.Fields.ToFieldsV1().ToJsonString());
        Json.Equal(entry.ToJson().ToJsonString(), created.Object["metadata"]!["managedFields"]![0]);
    }

    [Fact]
    public void An_update_takes_the_fields_it_changes_from_their_owner_and_never_conflicts()
    {
        var live = Create(VirtualServer("""{"host":"tea.example.com","gunzip":true}"""));

        var patched = Patch(live, """{"spec":{"host":"coffee.example.com"}}""", "kubectl-patch");

        Assert.Equal(2, patched.ManagedFields.Count);
        Assert.DoesNotContain(FieldPath.Of("spec", "host"), patched.ManagedFields.Single(e => e.Manager == "kubectl-create").Fields.Paths);
        Assert.Equal(FieldSet.Of(FieldPath.Of("spec", "host")), patched.ManagedFields.Single(e => e.Manager == "kubectl-patch").Fields);
        Assert.Equal(T0.AddMinutes(1), patched.ManagedFields.Single(e => e.Manager == "kubectl-patch").Time);
    }

    [Fact]
    public void A_removed_field_leaves_every_owner()
    {
        var live = Create(VirtualServer("""{"host":"tea.example.com","gunzip":true}"""));

        var patched = Patch(live, """{"spec":{"gunzip":null}}""", "kubectl-patch");

        var entry = Assert.Single(patched.ManagedFields);
        Assert.Equal("kubectl-create", entry.Manager);
        Assert.DoesNotContain(FieldPath.Of("spec", "gunzip"), entry.Fields.Paths);
        Assert.Contains(FieldPath.Of("spec", "host"), entry.Fields.Paths);
    }

    [Fact]
    public void A_write_that_changes_nothing_keeps_the_managed_fields_and_their_times()
    {
        var live = Create(VirtualServer("""{"host":"tea.example.com"}"""));

        var again = Patch(live, """{"spec":{"host":"tea.example.com"}}""", "kubectl-patch", minutesLater: 9);

        Assert.Equal(live.ManagedFields, again.ManagedFields);
        Json.Equal(live.Object.ToJsonString(), again.Object);
    }

    [Fact]
    public void Repeated_updates_by_one_manager_accumulate_in_one_entry()
    {
        var live = Create(VirtualServer("""{"host":"tea.example.com"}"""));
        live = Patch(live, """{"spec":{"gunzip":true}}""", "controller");

        var next = Patch(live, """{"spec":{"http-snippets":"x"}}""", "controller", minutesLater: 2);

        var entry = Assert.Single(next.ManagedFields, e => e.Manager == "controller");
        Assert.Equal(FieldSet.Of(FieldPath.Of("spec", "gunzip"), FieldPath.Of("spec", "http-snippets")), entry.Fields);
        Assert.Equal(T0.AddMinutes(2), entry.Time);
    }

    [Fact]
    public void Managed_fields_sent_by_the_client_replace_the_live_ones_and_an_empty_entry_clears_them()
    {
        var live = Create(VirtualServer("""{"host":"tea.example.com"}"""));
        var replacement = new ManagedFieldsEntry("kubectl", ManagedFieldsOperation.Apply, Version, T0, FieldSet.Of(FieldPath.Of("spec", "host")));

        var migrated = JsonPatch.Apply(live.Object, new JsonArray(new JsonObject
        {
            ["op"] = "replace",
            ["path"] = "/metadata/managedFields",
            ["value"] = new JsonArray(replacement.ToJson()),
        })).AsObject();
        var cleared = JsonPatch.Apply(live.Object, Json.Node("""[{"op":"replace","path":"/metadata/managedFields","value":[{}]}]""")).AsObject();

        Assert.Equal([replacement], ServerSideApply.RecordUpdate(live.Object, migrated, "kubectl", null, live.ManagedFields, Version, T0).ManagedFields);
        var untracked = ServerSideApply.RecordUpdate(live.Object, cleared, "kubectl-patch", null, live.ManagedFields, Version, T0);
        Assert.Empty(untracked.ManagedFields);
        Assert.Null(untracked.Object["metadata"]!["managedFields"]);
    }

    [Fact]
    public void A_status_write_is_recorded_against_the_subresource_and_ignores_managed_fields_from_the_client()
    {
        var live = Create(VirtualServer("""{"host":"tea.example.com"}"""));
        var after = JsonMergePatch.Apply(live.Object, Json.Node("""{"status":{"state":"Valid"},"metadata":{"managedFields":[{}]}}"""))!.AsObject();

        var updated = ServerSideApply.RecordUpdate(live.Object, after, "nic", "status", live.ManagedFields, Version, T0);

        var status = Assert.Single(updated.ManagedFields, e => e.Subresource == "status");
        Assert.Equal("nic", status.Manager);
        Assert.Equal("""{"f:status":{".":{},"f:state":{}}}""", status.Fields.ToFieldsV1().ToJsonString());
        Assert.Contains(updated.ManagedFields, e => e.Manager == "kubectl-create");
    }

    [Fact]
    public void Apply_entries_are_listed_before_update_entries()
    {
        var live = Create(VirtualServer("""{"host":"tea.example.com"}"""));

        var applied = ServerSideApply.Apply(live.Object, VirtualServer("""{"host":"tea.example.com","gunzip":true}"""), "kubectl", false, live.ManagedFields, Version, T0.AddHours(1));

        Assert.Equal(["kubectl", "kubectl-create"], applied.ManagedFields.Select(e => e.Manager));
    }
}
