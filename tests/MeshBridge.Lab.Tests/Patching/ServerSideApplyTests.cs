using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer.Patching;

namespace MeshBridge.Lab.Tests.Patching;

/// <summary>Server-side apply as kube-apiserver does it for a CR whose lists are atomic (docs/reference/using-api/server-side-apply/).</summary>
public sealed class ServerSideApplyTests
{
    private const string Version = "k8s.nginx.org/v1";
    private static readonly DateTimeOffset T0 = new(2025, 5, 15, 8, 27, 33, 456, TimeSpan.Zero);

    private static JsonObject Config(string spec, string labels = "{}") => Json.Object(
        $$"""{"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"tea","namespace":"app","labels":{{labels}}},"spec":{{spec}}}""");

    private static ApplyOutcome Apply(ApplyOutcome? live, JsonObject config, string manager, bool force = false, int minutesLater = 0) =>
        ServerSideApply.Apply(live?.Object, config, manager, force, live?.ManagedFields ?? [], Version, T0.AddMinutes(minutesLater));

    private static ApplyOutcome Applied(ApplyOutcome outcome)
    {
        Assert.False(outcome.HasConflicts, outcome.HasConflicts ? outcome.ConflictMessage : null);
        return outcome;
    }

    private static ManagedFieldsEntry Entry(ApplyOutcome outcome, string manager) =>
        Assert.Single(outcome.ManagedFields, entry => entry.Manager == manager);

    [Fact]
    public void Applying_to_a_missing_object_creates_it_and_records_one_apply_entry()
    {
        var created = Applied(Apply(null, Config("""{"host":"tea.example.com"}""", """{"app":"tea"}"""), "kubectl"));

        Json.Equal(
            """
            {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"tea","namespace":"app","labels":{"app":"tea"},
             "managedFields":[{"manager":"kubectl","operation":"Apply","apiVersion":"k8s.nginx.org/v1","time":"2025-05-15T08:27:33Z","fieldsType":"FieldsV1",
                               "fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:host":{}}}}]},
             "spec":{"host":"tea.example.com"}}
            """,
            created.Object);
    }

    [Fact]
    public void Applying_the_same_config_again_changes_nothing_not_even_the_entry_time()
    {
        var config = Config("""{"host":"tea.example.com","upstreams":[{"name":"tea","port":80}]}""");
        var first = Applied(Apply(null, config, "kubectl"));

        var again = Applied(Apply(first, config, "kubectl", minutesLater: 5));

        Json.Equal(first.Object!.ToJsonString(), again.Object);
        Assert.Equal(first.ManagedFields, again.ManagedFields);
    }

    [Fact]
    public void A_different_value_on_a_field_another_applier_owns_is_a_conflict_worded_as_the_API_server_words_it()
    {
        var live = Applied(Apply(null, Config("""{"host":"tea.example.com"}"""), "alice"));

        var outcome = Apply(live, Config("""{"host":"coffee.example.com"}"""), "bob");
        var status = outcome.ToConflictStatus();

        Assert.True(outcome.HasConflicts);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"alice\": .spec.host", outcome.ConflictMessage);
        Assert.Equal(409, status.Code);
        Assert.Equal("Conflict", status.Reason);
        var cause = Assert.Single(status.Details!.Causes!);
        Assert.Equal(("FieldManagerConflict", "conflict with \"alice\"", ".spec.host"), (cause.Reason, cause.Message, cause.Field));
    }

    [Fact]
    public void Several_conflicts_are_grouped_by_owner_in_the_multi_conflict_form()
    {
        var live = Applied(Apply(null, Config("""{"host":"a","gunzip":true}"""), "carol"));
        live = Applied(Apply(live, Config("""{"http-snippets":"x"}"""), "alice"));

        var outcome = Apply(live, Config("""{"host":"b","gunzip":false,"http-snippets":"y"}"""), "bob");

        Assert.Equal(
            "Apply failed with 3 conflicts: conflicts with \"alice\":\n- .spec.http-snippets\nconflicts with \"carol\":\n- .spec.gunzip\n- .spec.host",
            outcome.ConflictMessage);
        Assert.Equal([".spec.http-snippets", ".spec.gunzip", ".spec.host"], outcome.ToConflictStatus().Details!.Causes!.Select(c => c.Field));
    }

    [Fact]
    public void An_equal_value_is_not_a_conflict_and_both_appliers_then_own_the_field()
    {
        var live = Applied(Apply(null, Config("""{"host":"tea.example.com","gunzip":true}"""), "alice"));

        var shared = Applied(Apply(live, Config("""{"host":"tea.example.com"}"""), "bob"));

        Assert.Contains(FieldPath.Of("spec", "host"), Entry(shared, "alice").Fields.Paths);
        Assert.Equal(FieldSet.Of(FieldPath.Of("spec", "host")), Entry(shared, "bob").Fields);
    }

    [Fact]
    public void Force_takes_the_field_over_and_the_previous_owner_loses_it()
    {
        var live = Applied(Apply(null, Config("""{"host":"tea.example.com","gunzip":true}"""), "alice"));

        var forced = Applied(Apply(live, Config("""{"host":"coffee.example.com"}"""), "bob", force: true));

        Assert.Equal("coffee.example.com", forced.Object!["spec"]!["host"]!.GetValue<string>());
        Assert.Equal(FieldSet.Of(FieldPath.Of("spec", "gunzip")), Entry(forced, "alice").Fields);
        Assert.Equal(FieldSet.Of(FieldPath.Of("spec", "host")), Entry(forced, "bob").Fields);
    }

    [Fact]
    public void A_field_dropped_from_the_config_is_removed_only_when_nobody_else_owns_it()
    {
        var live = Applied(Apply(null, Config("""{"host":"tea.example.com","gunzip":true,"tls":{"secret":"tea-tls"}}"""), "alice"));
        live = Applied(Apply(live, Config("""{"host":"tea.example.com"}"""), "bob"));

        var after = Applied(Apply(live, Config("""{"gunzip":true}"""), "alice"));

        Json.Equal("""{"host":"tea.example.com","gunzip":true}""", after.Object!["spec"]);
        Assert.Equal(FieldSet.Of(FieldPath.Of("spec", "gunzip")), Entry(after, "alice").Fields);
        Assert.Equal(FieldSet.Of(FieldPath.Of("spec", "host")), Entry(after, "bob").Fields);
    }

    [Fact]
    public void A_map_the_applier_gives_up_stays_while_an_updater_owns_a_field_inside_it()
    {
        var live = Config("""{"host":"a","tls":{"secret":"s","redirect":{"enable":true}}}""");
        ManagedFieldsEntry[] owners =
        [
            ManagedFieldsEntry.FromJson(Json.Object("""{"manager":"alice","operation":"Apply","apiVersion":"k8s.nginx.org/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:host":{},"f:tls":{".":{}}}}}""")),
            ManagedFieldsEntry.FromJson(Json.Object("""{"manager":"nic","operation":"Update","apiVersion":"k8s.nginx.org/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:tls":{"f:secret":{}}}}}""")),
        ];

        var after = Applied(ServerSideApply.Apply(live, Config("""{"host":"a"}"""), "alice", false, owners, Version, T0));

        Json.Equal("""{"host":"a","tls":{"secret":"s","redirect":{"enable":true}}}""", after.Object!["spec"]);
    }

    [Fact]
    public void A_list_is_replaced_whole_and_owned_as_one_field()
    {
        var live = Applied(Apply(null, Config("""{"upstreams":[{"name":"a","port":80},{"name":"b","port":81}]}"""), "alice"));

        var replaced = Applied(Apply(live, Config("""{"upstreams":[{"name":"c","port":82}]}"""), "alice"));
        var conflict = Apply(replaced, Config("""{"upstreams":[{"name":"c","port":82,"tls":{"enable":true}}]}"""), "bob");

        Json.Equal("""[{"name":"c","port":82}]""", replaced.Object!["spec"]!["upstreams"]);
        Json.Equal("""{"f:spec":{"f:upstreams":{}}}""", Entry(replaced, "alice").Fields.ToFieldsV1());
        Assert.Equal("Apply failed with 1 conflict: conflict with \"alice\": .spec.upstreams", conflict.ConflictMessage);
    }

    [Fact]
    public void Labels_are_owned_one_by_one_so_two_appliers_can_each_keep_their_own()
    {
        var live = Applied(Apply(null, Config("{}", """{"app":"tea"}"""), "alice"));
        live = Applied(Apply(live, Config("{}", """{"team":"cafe"}"""), "bob"));

        var dropped = Applied(Apply(live, Config("{}"), "alice"));

        Json.Equal("""{"app":"tea","team":"cafe"}""", live.Object!["metadata"]!["labels"]);
        Json.Equal("""{"team":"cafe"}""", dropped.Object!["metadata"]!["labels"]);
        Assert.DoesNotContain(dropped.ManagedFields, entry => entry.Manager == "alice");
    }

    [Fact]
    public void After_an_update_takes_a_field_the_next_apply_of_another_value_conflicts_with_the_updater()
    {
        var live = Applied(Apply(null, Config("""{"host":"tea.example.com"}"""), "kubectl"));
        var patched = JsonMergePatch.Apply(live.Object, Json.Node("""{"spec":{"host":"coffee.example.com"}}"""))!.AsObject();
        var updated = ServerSideApply.RecordUpdate(live.Object, patched, "kubectl-patch", null, live.ManagedFields, Version, T0.AddMinutes(1));

        var outcome = ServerSideApply.Apply(updated.Object, Config("""{"host":"tea.example.com"}"""), "kubectl", false, updated.ManagedFields, Version, T0.AddMinutes(2));

        Assert.DoesNotContain(updated.ManagedFields, entry => entry.Manager == "kubectl");
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-patch\" using k8s.nginx.org/v1: .spec.host", outcome.ConflictMessage);
    }

    [Fact]
    public void An_apply_body_carrying_managed_fields_is_a_bad_request()
    {
        var config = Config("{}");
        config["metadata"]!["managedFields"] = new JsonArray();

        var error = Assert.Throws<PatchException>(() => Apply(null, config, "kubectl"));

        Assert.Equal(PatchErrorKind.BadRequest, error.Kind);
        Assert.Equal("metadata.managedFields must be nil", error.ToStatus().Message);
    }

    [Fact]
    public void The_first_apply_to_an_untracked_object_conflicts_with_what_it_already_held()
    {
        var untracked = Config("""{"host":"tea.example.com"}""");

        var outcome = ServerSideApply.Apply(untracked, Config("""{"host":"coffee.example.com"}"""), "kubectl", false, [], Version, T0);

        Assert.Equal("Apply failed with 1 conflict: conflict with \"before-first-apply\" using k8s.nginx.org/v1: .spec.host", outcome.ConflictMessage);
    }

    [Fact]
    public void Apply_does_not_modify_its_inputs()
    {
        var live = Applied(Apply(null, Config("""{"host":"a","gunzip":true}"""), "alice"));
        var liveBefore = live.Object!.ToJsonString();
        var config = Config("""{"host":"a","upstreams":[{"name":"u"}]}""");
        var configBefore = config.ToJsonString();

        var next = Applied(Apply(live, config, "alice"));
        next.Object!["spec"]!["upstreams"]![0]!["name"] = "changed";

        Assert.Equal(liveBefore, live.Object!.ToJsonString());
        Assert.Equal(configBefore, config.ToJsonString());
    }
}
