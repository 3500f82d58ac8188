using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Controller.Caching;
using MeshBridge.Kubernetes.Client;

namespace MeshBridge.Controller.Tests.Integration;

/// <summary>The cluster facts the controller reads — trust domain, revision, IngressClasses, namespace labels — change what it does.</summary>
public sealed class MeshFactsIntegrationTests
{
    private const string Ns = "demo-meshed";
    private const string PolicyName = "meshbridge-mtls.nginx-ingress.nginx-ingress";

    private static Task Patch(ControllerLab lab, ResourceType type, string? ns, string name, string mergePatch) =>
        lab.Client.PatchAsync(type, ns, name, new V1Patch(JsonNode.Parse(mergePatch)!, PatchType.MergePatch));

    private static async Task<string?> Status(ControllerLab lab, string name) =>
        (await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, name))["metadata"]!["annotations"]!["meshbridge.io/status"]?.ToString();

    [Fact]
    public async Task The_trust_domain_comes_from_the_istio_ConfigMap_and_a_new_one_reissues_the_certificate_in_place()
    {
        await using var lab = await ControllerLab.StartAsync();
        var certificates = new TestCertificateSource();
        lab.StartController(certificates: certificates);
        await lab.ConvergedAsync();
        Assert.Equal("Meshed: egress-mtls as spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress", await Status(lab, "nic.example.com"));
        var before = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");

        await Patch(lab, ResourceTypes.ConfigMaps, "istio-system", "istio", """{"data":{"mesh":"trustDomain: corp.example\n"}}""");
        await lab.ConvergedAsync();

        var after = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        Assert.Equal("Meshed: egress-mtls as spiffe://corp.example/ns/nginx-ingress/sa/nginx-ingress", await Status(lab, "nic.example.com"));
        Assert.Contains(certificates.Asked, i => i.SpiffeId == "spiffe://corp.example/ns/nginx-ingress/sa/nginx-ingress");
        Assert.Equal(before["metadata"]!["uid"]!.ToString(), after["metadata"]!["uid"]!.ToString());
        var pem = Encoding.UTF8.GetString(Convert.FromBase64String(after["data"]!["tls.crt"]!.ToString()));
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
        Assert.Contains("spiffe://corp.example/ns/nginx-ingress/sa/nginx-ingress", certificate.Extensions["2.5.29.17"]!.Format(false), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_MeshConfig_is_a_warning_and_the_default_trust_domain_is_used()
    {
        await using var lab = await ControllerLab.StartAsync();
        await Patch(lab, ResourceTypes.ConfigMaps, "istio-system", "istio", """{"data":{"mesh":"trustDomain: [unclosed\n"}}""");
        lab.StartController(certificates: new TestCertificateSource());
        await lab.ConvergedAsync();

        var events = (await lab.Client.ListAsync(ResourceTypes.Events, Ns)).Items;
        Assert.Contains(events, e => e["reason"]!.ToString() == "MeshConfigInvalid" && e["regarding"]!["name"]!.ToString() == "nic.example.com");
        Assert.Equal("Meshed: egress-mtls as spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress", await Status(lab, "nic.example.com"));
    }

    [Fact]
    public async Task NIC_is_enrolled_with_the_revision_its_namespace_names()
    {
        await using var lab = await ControllerLab.StartAsync();
        await Patch(lab, ResourceTypes.Namespaces, null, "nginx-ingress", """{"metadata":{"labels":{"istio.io/rev":"canary"}}}""");
        lab.StartController();
        await lab.ConvergedAsync();

        var labels = (await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar"))["spec"]!["template"]!["metadata"]!["labels"]!;
        Assert.Equal("canary", labels["istio.io/rev"]!.ToString());
        Assert.Null(labels["sidecar.istio.io/inject"]);

        await Patch(lab, ResourceTypes.Namespaces, null, "nginx-ingress", """{"metadata":{"labels":{"istio.io/rev":null}}}""");
        await lab.ConvergedAsync();

        labels = (await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar"))["spec"]!["template"]!["metadata"]!["labels"]!;
        Assert.Null(labels["istio.io/rev"]);
        Assert.Equal("true", labels["sidecar.istio.io/inject"]!.ToString());
    }

    [Fact]
    public async Task Only_VirtualServers_in_namespaces_the_selector_admits_are_meshed()
    {
        await using var lab = await ControllerLab.StartAsync();
        lab.StartController(new ControllerOptions { NamespaceSelector = LabelSelector.Parse("meshbridge=on") });
        await lab.ConvergedAsync();
        Assert.Null(await Status(lab, "nic-meshed.example.com"));
        var nic = await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar");
        Assert.Null(nic["spec"]!["template"]!["metadata"]!["labels"]!["sidecar.istio.io/inject"]);

        await Patch(lab, ResourceTypes.Namespaces, null, Ns, """{"metadata":{"labels":{"meshbridge":"on"}}}""");
        await lab.ConvergedAsync();

        Assert.Equal("Meshed: sidecar", await Status(lab, "nic-meshed.example.com"));
        nic = await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar");
        Assert.Equal("true", nic["spec"]!["template"]!["metadata"]!["labels"]!["sidecar.istio.io/inject"]!.ToString());
    }

    [Fact]
    public async Task Without_its_IngressClass_a_NIC_workload_is_no_instance_and_the_VirtualServer_is_warned_until_the_class_exists()
    {
        await using var lab = await ControllerLab.StartAsync();
        var ingressClass = await lab.Client.GetAsync(ResourceTypes.IngressClasses, null, "nginx-sidecar");
        await lab.Client.DeleteAsync(ResourceTypes.IngressClasses, null, "nginx-sidecar");
        lab.StartController();
        await lab.ConvergedAsync();

        var nic = await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar");
        Assert.Null(nic["spec"]!["template"]!["metadata"]!["labels"]!["sidecar.istio.io/inject"]);
        var events = (await lab.Client.ListAsync(ResourceTypes.Events, Ns)).Items;
        Assert.Contains(events, e => e["reason"]!.ToString() == "NicInstanceNotFound" && e["regarding"]!["name"]!.ToString() == "nic-meshed.example.com");

        await lab.Client.CreateAsync(ResourceTypes.IngressClasses, null, new JsonObject
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "IngressClass",
            ["metadata"] = new JsonObject { ["name"] = "nginx-sidecar" },
            ["spec"] = ingressClass["spec"]!.DeepClone(),
        });
        await lab.ConvergedAsync();

        nic = await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar");
        Assert.Equal("true", nic["spec"]!["template"]!["metadata"]!["labels"]!["sidecar.istio.io/inject"]!.ToString());
        var nicEvents = (await lab.Client.ListAsync(ResourceTypes.Events, "nginx-ingress")).Items;
        Assert.Contains(nicEvents, e => e["reason"]!.ToString() == "Enrolled" && e["regarding"]!["name"]!.ToString() == "nginx-ingress-sidecar" && e["regarding"]!["kind"]!.ToString() == "Deployment");
    }

    [Fact]
    public async Task A_moved_API_server_endpoint_updates_what_the_NIC_sidecar_must_not_capture()
    {
        await using var lab = await ControllerLab.StartAsync();
        lab.StartController();
        await lab.ConvergedAsync();

        await Patch(lab, ResourceTypes.EndpointSlices, "default", "kubernetes", """{"endpoints":[{"addresses":["192.168.10.5"],"conditions":{"ready":true}}]}""");
        await lab.ConvergedAsync();

        var nic = await lab.Client.GetAsync(ResourceTypes.Deployments, "nginx-ingress", "nginx-ingress-sidecar");
        Assert.Equal("10.96.0.1/32,192.168.10.5/32", nic["spec"]!["template"]!["metadata"]!["annotations"]!["traffic.sidecar.istio.io/excludeOutboundIPRanges"]!.ToString());
    }
}
