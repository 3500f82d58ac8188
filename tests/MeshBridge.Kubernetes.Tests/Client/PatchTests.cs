using System.Net;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Tests.Lab;
using static MeshBridge.Kubernetes.Tests.Lab.Objects;

namespace MeshBridge.Kubernetes.Tests.Client;

/// <summary>
/// The patches the controller writes with: JSON Patch guarded by a <c>test</c> on resourceVersion (NIC lists are
/// atomic under server-side apply), merge patches of exactly MeshBridge's keys, and server-side apply.
/// </summary>
public sealed class PatchTests
{
    private static readonly ResourceType ConfigMaps = ResourceTypes.ConfigMaps;

    [Fact]
    public async Task A_json_patch_guarded_by_the_current_resource_version_applies()
    {
        await using var lab = await LabConnection.StartAsync();
        var created = await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));

        var patched = await lab.Client.PatchAsync(ConfigMaps, "default", "a", Guarded(created, "/data/value", "2"));

        Assert.Equal("2", patched["data"]!["value"]!.ToString());
    }

    [Fact]
    public async Task A_json_patch_guarded_by_a_stale_resource_version_is_refused_and_changes_nothing()
    {
        await using var lab = await LabConnection.StartAsync();
        var created = await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));
        await lab.Client.PatchAsync(ConfigMaps, "default", "a", Guarded(created, "/data/value", "2"));

        var error = await Assert.ThrowsAsync<KubernetesException>(() => lab.Client.PatchAsync(ConfigMaps, "default", "a", Guarded(created, "/data/value", "3")));

        Assert.Equal((HttpStatusCode)422, error.StatusCode);
        Assert.Equal("the server rejected our request due to an error in our request", error.Message);
        Assert.Equal("2", (await lab.Client.GetAsync(ConfigMaps, "default", "a"))["data"]!["value"]!.ToString());
    }

    [Fact]
    public async Task A_merge_patch_sets_and_removes_only_the_keys_it_names()
    {
        await using var lab = await LabConnection.StartAsync();
        var cm = ConfigMap("a");
        cm["metadata"]!["annotations"] = new JsonObject { ["keep"] = "1", ["drop"] = "2" };
        await lab.Client.CreateAsync(ConfigMaps, "default", cm);

        var patch = new V1Patch(JsonNode.Parse("""{"metadata":{"annotations":{"drop":null,"add":"3"}}}""")!, PatchType.MergePatch);
        var patched = await lab.Client.PatchAsync(ConfigMaps, "default", "a", patch, new WriteOptions { FieldManager = "meshbridge" });

        Assert.Equal("""{"keep":"1","add":"3"}""", patched["metadata"]!["annotations"]!.ToJsonString());
    }

    [Fact]
    public async Task Server_side_apply_conflicts_with_another_manager_unless_forced()
    {
        await using var lab = await LabConnection.StartAsync();
        var apply = new V1Patch(ConfigMap("a", data: "mine"), PatchType.ApplyPatch);
        await lab.Client.PatchAsync(ConfigMaps, "default", "a", apply, new WriteOptions { FieldManager = "first" });

        var theirs = new V1Patch(ConfigMap("a", data: "theirs"), PatchType.ApplyPatch);
        var conflict = await Assert.ThrowsAsync<KubernetesException>(() => lab.Client.PatchAsync(ConfigMaps, "default", "a", theirs, new WriteOptions { FieldManager = "second" }));
        var forced = await lab.Client.PatchAsync(ConfigMaps, "default", "a", theirs, new WriteOptions { FieldManager = "second", Force = true });

        Assert.True(conflict.IsConflict);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"first\": .data.value", conflict.Message);
        Assert.Equal("FieldManagerConflict", conflict.Status.Details!.Causes![0].Reason);
        Assert.Equal("theirs", forced["data"]!["value"]!.ToString());
    }

    [Fact]
    public async Task The_status_subresource_changes_only_status_and_the_main_endpoint_keeps_it()
    {
        await using var lab = await LabConnection.StartAsync();
        lab.Server.InstallCustomResourceDefinitions(File.ReadAllText(SharedCrd()), "vs-crd");
        var vs = JsonNode.Parse("""{"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"cafe"},"spec":{"host":"cafe.example.com"},"status":{"state":"Valid"}}""")!.AsObject();
        var created = await lab.Client.CreateAsync(ResourceTypes.VirtualServers, "default", vs);
        Assert.Null(created["status"]);

        created["status"] = new JsonObject { ["state"] = "Warning", ["message"] = "from status" };
        created["spec"]!["host"] = "ignored.example.com";
        var viaStatus = await lab.Client.ReplaceAsync(ResourceTypes.VirtualServers, "default", "cafe", created, subresource: "status");
        var (hostAfterStatus, stateAfterStatus) = (viaStatus["spec"]!["host"]!.ToString(), viaStatus["status"]!["state"]!.ToString());
        viaStatus["status"] = new JsonObject { ["state"] = "Ignored" };
        var viaMain = await lab.Client.ReplaceAsync(ResourceTypes.VirtualServers, "default", "cafe", viaStatus);

        Assert.Equal("cafe.example.com", hostAfterStatus);
        Assert.Equal("Warning", stateAfterStatus);
        Assert.Equal("Warning", viaMain["status"]!["state"]!.ToString());
        Assert.Equal(1, viaMain["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task Fields_a_CRD_does_not_declare_are_pruned_when_validation_is_not_strict()
    {
        await using var lab = await LabConnection.StartAsync();
        lab.Server.InstallCustomResourceDefinitions(File.ReadAllText(SharedCrd()), "vs-crd");
        var vs = JsonNode.Parse("""{"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"cafe"},"spec":{"host":"cafe.example.com","hostAlias":"x","upstreams":[{"name":"tea","service":"tea","port":80,"useClusterIp":true}]}}""")!.AsObject();

        var created = await lab.Client.CreateAsync(ResourceTypes.VirtualServers, "default", vs);
        var strict = await Assert.ThrowsAsync<KubernetesException>(() =>
            lab.Client.CreateAsync(ResourceTypes.VirtualServers, "default", (JsonObject)vs.DeepClone(), new WriteOptions { FieldValidation = "Strict" }));

        Assert.Null(created["spec"]!["hostAlias"]);
        Assert.Null(created["spec"]!["upstreams"]![0]!["useClusterIp"]);
        Assert.Equal(80, created["spec"]!["upstreams"]![0]!["port"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Contains("unknown field \"spec.hostAlias\"", strict.Message, StringComparison.Ordinal);
    }

    private static V1Patch Guarded(JsonObject current, string path, string value) => new(new JsonArray(
        new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = current["metadata"]!["resourceVersion"]!.ToString() },
        new JsonObject { ["op"] = "replace", ["path"] = path, ["value"] = value }), PatchType.JsonPatch);

    private static string SharedCrd() => TeamFolder.NicCrd("k8s.nginx.org_virtualservers.yaml");
}
