using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;

namespace MeshBridge.Controller.Tests.Integration;

/// <summary>The controller following changes: mode switches, conflicts on one NIC instance, VirtualServerRoute edits.</summary>
public sealed class ChangesTests
{
    private const string Ns = "demo-meshed";
    private const string Meshed = "nic-meshed.example.com";

    [Fact]
    public async Task Switching_a_VirtualServer_from_sidecar_to_ambient_re_enrolls_its_NIC_instance()
    {
        await using var lab = await ControllerLab.StartAsync();
        lab.StartController();
        await lab.ConvergedAsync();

        await SetModeAsync(lab, Meshed, "ambient");
        await lab.ConvergedAsync();

        var labels = (await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar"))["spec"]!["template"]!["metadata"]!;
        var vs = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Meshed);
        Assert.Equal("ambient", labels["labels"]!["istio.io/dataplane-mode"]!.ToString());
        Assert.Null(labels["labels"]!["sidecar.istio.io/inject"]);
        Assert.Null(labels["annotations"]?["traffic.sidecar.istio.io/includeInboundPorts"]);
        Assert.Equal("true", labels["annotations"]!["ambient.istio.io/bypass-inbound-capture"]!.ToString());
        Assert.True(vs["spec"]!["upstreams"]![0]!["use-cluster-ip"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Asking_one_NIC_instance_for_sidecar_and_ambient_changes_neither_and_warns_on_both()
    {
        await using var lab = await ControllerLab.StartAsync();
        var second = JsonNode.Parse("""
            {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"ambient.example.com","namespace":"demo-meshed","annotations":{"meshbridge.io/mode":"ambient"}},
             "spec":{"ingressClassName":"nginx-sidecar","host":"ambient.example.com","upstreams":[{"name":"httpbin","service":"httpbin","port":8081}],
                     "routes":[{"path":"/","action":{"pass":"httpbin"}}]}}
            """)!.AsObject();
        await lab.Client.CreateAsync(ResourceTypes.VirtualServers, Ns, second);

        lab.StartController();
        await lab.ConvergedAsync();

        var nic = await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar");
        var vs = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Meshed);
        var events = (await lab.Client.ListAsync(ResourceTypes.Events, Ns)).Items.Where(e => e["reason"]!.ToString() == "EnrollmentConflict").ToList();
        Assert.Null(nic["spec"]!["template"]!["metadata"]!["labels"]!["sidecar.istio.io/inject"]);
        Assert.Null(vs["spec"]!["upstreams"]![0]!["use-cluster-ip"]);
        Assert.Equal(["ambient.example.com", Meshed], events.Select(e => e["regarding"]!["name"]!.ToString()).Distinct().Order());
        var ambient = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, "ambient.example.com");
        Assert.StartsWith("Error: EnrollmentConflict: ", ambient["metadata"]!["annotations"]!["meshbridge.io/status"]!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("Error: EnrollmentConflict: ", vs["metadata"]!["annotations"]!["meshbridge.io/status"]!.ToString(), StringComparison.Ordinal);
        Assert.All(events, e => Assert.Equal("Warning", e["type"]!.ToString()));
    }

    [Fact]
    public async Task A_conflict_appearing_on_a_converged_instance_warns_on_the_meshed_VirtualServer_too_and_resolving_it_converges()
    {
        await using var lab = await ControllerLab.StartAsync();
        lab.StartController();
        await lab.ConvergedAsync();
        var second = JsonNode.Parse("""
            {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"late.example.com","namespace":"demo-meshed","annotations":{"meshbridge.io/mode":"ambient"}},
             "spec":{"ingressClassName":"nginx-sidecar","host":"late.example.com","upstreams":[{"name":"httpbin","service":"httpbin","port":8081}],
                     "routes":[{"path":"/","action":{"pass":"httpbin"}}]}}
            """)!.AsObject();

        await lab.Client.CreateAsync(ResourceTypes.VirtualServers, Ns, second);
        await lab.ConvergedAsync();

        var warned = (await lab.Client.ListAsync(ResourceTypes.Events, Ns)).Items
            .Where(e => e["reason"]!.ToString() == "EnrollmentConflict").Select(e => e["regarding"]!["name"]!.ToString()).Distinct().Order();
        Assert.Equal(["late.example.com", Meshed], warned);
        var nic = await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar");
        Assert.Equal("true", nic["spec"]!["template"]!["metadata"]!["labels"]!["sidecar.istio.io/inject"]!.ToString());

        await lab.Client.PatchAsync(ResourceTypes.VirtualServers, Ns, "late.example.com",
            new V1Patch(JsonNode.Parse("""{"metadata":{"annotations":{"meshbridge.io/mode":"sidecar"}}}""")!, PatchType.MergePatch));
        await lab.ConvergedAsync();

        var late = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, "late.example.com");
        Assert.True(late["spec"]!["upstreams"]![0]!["use-cluster-ip"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_VirtualServerRoute_added_later_is_meshed_with_the_VirtualServer_that_references_it()
    {
        await using var lab = await ControllerLab.StartAsync();
        lab.StartController();
        await lab.ConvergedAsync();

        await lab.Client.PatchAsync(ResourceTypes.VirtualServers, Ns, Meshed, new V1Patch(JsonNode.Parse("""
            [{"op":"add","path":"/spec/routes/-","value":{"path":"/tea","route":"tea"}}]
            """)!, PatchType.JsonPatch));
        await lab.Client.CreateAsync(ResourceTypes.VirtualServerRoutes, Ns, JsonNode.Parse("""
            {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServerRoute","metadata":{"name":"tea"},
             "spec":{"host":"nic-meshed.example.com","upstreams":[{"name":"tea","service":"tea","port":80}],"subroutes":[{"path":"/tea","action":{"pass":"tea"}}]}}
            """)!.AsObject());
        await lab.ConvergedAsync();

        var vsr = await lab.Client.GetAsync(ResourceTypes.VirtualServerRoutes, Ns, "tea");
        Assert.True(vsr["spec"]!["upstreams"]![0]!["use-cluster-ip"]!.GetValue<bool>());
        Assert.Equal("tea.demo-meshed.svc.cluster.local", vsr["spec"]!["subroutes"]![0]!["action"]!["proxy"]!["requestHeaders"]!["set"]![0]!["value"]!.ToString());
    }

    private static Task SetModeAsync(ControllerLab lab, string name, string mode) =>
        lab.Client.PatchAsync(ResourceTypes.VirtualServers, Ns, name,
            new V1Patch(new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["meshbridge.io/mode"] = mode } } }, PatchType.MergePatch));
}
