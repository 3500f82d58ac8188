using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;

namespace MeshBridge.Controller.Tests.Integration;

public sealed class SidecarModeTests
{
    private const string Ns = "demo-meshed";
    private const string Meshed = "nic-meshed.example.com";

    [Fact]
    public async Task An_annotated_VirtualServer_and_its_NIC_instance_converge_to_sidecar_mode()
    {
        await using var lab = await ControllerLab.StartAsync();

        lab.StartController();
        await lab.ConvergedAsync();

        var vs = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Meshed);
        var nic = await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar");
        var otherNic = await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress");
        Assert.True(vs["spec"]!["upstreams"]![0]!["use-cluster-ip"]!.GetValue<bool>());
        Assert.Equal("Meshed: sidecar", vs["metadata"]!["annotations"]!["meshbridge.io/status"]!.ToString());
        Assert.Equal("httpbin.demo-meshed.svc.cluster.local", vs["spec"]!["routes"]![0]!["action"]!["proxy"]!["requestHeaders"]!["set"]![0]!["value"]!.ToString());
        Assert.Equal("true", nic["spec"]!["template"]!["metadata"]!["labels"]!["sidecar.istio.io/inject"]!.ToString());
        Assert.Equal("80,443", nic["spec"]!["template"]!["metadata"]!["annotations"]!["traffic.sidecar.istio.io/excludeInboundPorts"]!.ToString());
        Assert.Equal("10.96.0.1/32,172.18.0.2/32", nic["spec"]!["template"]!["metadata"]!["annotations"]!["traffic.sidecar.istio.io/excludeOutboundIPRanges"]!.ToString());
        Assert.Null(otherNic["spec"]!["template"]!["metadata"]!["labels"]!["sidecar.istio.io/inject"]);
    }

    [Fact]
    public async Task Removing_the_annotation_reverts_exactly_and_keeps_user_edits()
    {
        await using var lab = await ControllerLab.StartAsync();
        var before = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Meshed);
        lab.StartController();
        await lab.ConvergedAsync();

        await lab.Client.PatchAsync(ResourceTypes.VirtualServers, Ns, Meshed, new V1Patch(JsonNode.Parse("""
            {"metadata":{"annotations":{"meshbridge.io/mode":null,"team":"web"}}}
            """)!, PatchType.MergePatch));
        await lab.ConvergedAsync();

        var after = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Meshed);
        var nic = await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar");
        Assert.True(JsonNode.DeepEquals(before["spec"], after["spec"]), after["spec"]!.ToJsonString());
        Assert.Equal("""{"team":"web"}""", after["metadata"]!["annotations"]!.ToJsonString());
        Assert.Null(nic["spec"]!["template"]!["metadata"]!["labels"]!["sidecar.istio.io/inject"]);
        Assert.Null(nic["metadata"]!["annotations"]?["meshbridge.io/applied"]);
    }

    [Fact]
    public async Task A_restart_on_a_converged_cluster_makes_no_writes()
    {
        await using var lab = await ControllerLab.StartAsync();
        lab.StartController();
        await lab.ConvergedAsync();
        await lab.StopControllerAsync();
        var writesBefore = lab.Server.Counters.Writes() - lab.Server.Counters.Writes("events");
        var eventsBefore = (await lab.Client.ListAsync(ResourceTypes.Events, null)).Items.Select(e => e["metadata"]!["name"]!.ToString()).ToHashSet();

        lab.StartController();
        await lab.ConvergedAsync();

        // Only a problem still standing (the egress-mtls VirtualServer has no certificate source) is said again.
        var newEvents = (await lab.Client.ListAsync(ResourceTypes.Events, null)).Items.Where(e => !eventsBefore.Contains(e["metadata"]!["name"]!.ToString()));
        Assert.Equal(writesBefore, lab.Server.Counters.Writes() - lab.Server.Counters.Writes("events"));
        Assert.Equal(["CertificatePending"], newEvents.Select(e => e["reason"]!.ToString()));
        Assert.Equal(0, lab.Controller!.Writer.Writes);
        Assert.True(lab.Controller.Reconciles >= 2);
    }

    [Fact]
    public async Task An_egress_mtls_VirtualServer_waits_for_a_certificate_with_a_warning_and_a_pending_status_and_is_not_meshed()
    {
        await using var lab = await ControllerLab.StartAsync();
        var before = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, "nic.example.com");

        lab.StartController();
        await lab.ConvergedAsync();

        var after = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, "nic.example.com");
        var events = await lab.Client.ListAsync(ResourceTypes.Events, Ns);
        Assert.True(JsonNode.DeepEquals(before["spec"], after["spec"]));
        Assert.Equal("Pending: CertificatePending: waiting for a mesh certificate for spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress", after["metadata"]!["annotations"]!["meshbridge.io/status"]!.ToString());
        Assert.Contains(events.Items, e => e["reason"]!.ToString() == "CertificatePending" && e["regarding"]!["name"]!.ToString() == "nic.example.com" && e["type"]!.ToString() == "Warning");
        Assert.Null(await lab.Client.TryGetAsync(ResourceTypes.Policies, Ns, "meshbridge-mtls.nginx-ingress.nginx-ingress"));
    }
}
