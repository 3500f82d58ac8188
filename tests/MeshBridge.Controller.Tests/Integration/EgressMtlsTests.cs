using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Controller.Certificates;
using MeshBridge.Kubernetes.Client;

namespace MeshBridge.Controller.Tests.Integration;

public sealed class EgressMtlsTests
{
    private const string Ns = "demo-meshed";
    private const string Egress = "nic.example.com";
    private const string PolicyName = "meshbridge-mtls.nginx-ingress.nginx-ingress";

    private static JsonObject SecondServer(string name) => JsonNode.Parse($$"""
        {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"{{name}}","namespace":"demo-meshed","annotations":{"meshbridge.io/mode":"egress-mtls"} },
         "spec":{"ingressClassName":"nginx","host":"{{name}}","upstreams":[{"name":"httpbin","service":"httpbin","port":8081}],
                 "routes":[{"path":"/","action":{"pass":"httpbin"} }]} }
        """)!.AsObject();

    private static Task Annotate(ControllerLab lab, string name, string mode) => lab.Client.PatchAsync(ResourceTypes.VirtualServers, Ns, name,
        new V1Patch(JsonNode.Parse($$"""{"metadata":{"annotations":{"meshbridge.io/mode":"{{mode}}"} } }""")!, PatchType.MergePatch));

    private static IEnumerable<string> OwnerNames(JsonObject obj) =>
        (obj["metadata"]!["ownerReferences"]?.AsArray() ?? []).Select(o => o!["name"]!.ToString()).Order();

    private static async Task AssertObjectsGoneAsync(ControllerLab lab)
    {
        Assert.Null(await lab.Client.TryGetAsync(ResourceTypes.Policies, Ns, PolicyName));
        Assert.Null(await lab.Client.TryGetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls"));
        Assert.Null(await lab.Client.TryGetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".ca"));
    }

    private static long Version(JsonObject obj) => long.Parse(obj["metadata"]!["resourceVersion"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_Secrets_and_the_Policy_are_written_before_the_VirtualServer_references_them_and_are_owned_by_it()
    {
        await using var lab = await ControllerLab.StartAsync();
        var certificates = new TestCertificateSource();
        lab.StartController(certificates: certificates);
        await lab.ConvergedAsync();

        var vs = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress);
        var policy = await lab.Client.GetAsync(ResourceTypes.Policies, Ns, PolicyName);
        var tls = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        var ca = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".ca");
        var issued = await certificates.GetAsync(new MeshBridge.Controller.Certificates.MeshIdentity(new Transform.NicIdentity("nginx-ingress", "nginx-ingress"), "cluster.local"), CancellationToken.None);

        Assert.Equal(PolicyName, vs["spec"]!["policies"]![0]!["name"]!.ToString());
        Assert.Equal("kubernetes.io/tls", tls["type"]!.ToString());
        Assert.Equal("nginx.org/ca", ca["type"]!.ToString());
        Assert.Equal(issued!.CertificateChainPem, Encoding.UTF8.GetString(Convert.FromBase64String(tls["data"]!["tls.crt"]!.ToString())));
        Assert.Equal(issued.PrivateKeyPem, Encoding.UTF8.GetString(Convert.FromBase64String(tls["data"]!["tls.key"]!.ToString())));
        Assert.Equal(issued.RootBundlePem, Encoding.UTF8.GetString(Convert.FromBase64String(ca["data"]!["ca.crt"]!.ToString())));
        Assert.True(Version(tls) < Version(policy) && Version(ca) < Version(policy) && Version(policy) < Version(vs), "Secrets, then Policy, then the VirtualServer");
        foreach (var owned in new[] { policy, tls, ca })
        {
            var owner = Assert.Single(owned["metadata"]!["ownerReferences"]!.AsArray())!;
            Assert.Equal(vs["metadata"]!["uid"]!.ToString(), owner["uid"]!.ToString());
            Assert.Equal("VirtualServer", owner["kind"]!.ToString());
        }

        Assert.Equal(1, certificates.Requests);
    }

    [Fact]
    public async Task The_objects_are_shared_by_every_VirtualServer_using_them_and_removed_with_the_last()
    {
        await using var lab = await ControllerLab.StartAsync();
        await lab.Client.CreateAsync(ResourceTypes.VirtualServers, Ns, SecondServer("second.example.com"));
        lab.StartController(certificates: new TestCertificateSource());
        await lab.ConvergedAsync();
        Assert.Equal([Egress, "second.example.com"], OwnerNames(await lab.Client.GetAsync(ResourceTypes.Policies, Ns, PolicyName)));

        await Annotate(lab, Egress, "none");
        await lab.ConvergedAsync();

        Assert.Equal(["second.example.com"], OwnerNames(await lab.Client.GetAsync(ResourceTypes.Policies, Ns, PolicyName)));
        Assert.Equal(["second.example.com"], OwnerNames(await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls")));
        Assert.Null((await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress))["spec"]!["policies"]);

        await lab.Client.DeleteAsync(ResourceTypes.VirtualServers, Ns, "second.example.com");
        await lab.ConvergedAsync();

        await AssertObjectsGoneAsync(lab);
    }

    [Fact]
    public async Task Leaving_egress_mtls_removes_the_objects_and_two_leaving_at_once_leave_nothing_behind()
    {
        await using var lab = await ControllerLab.StartAsync();
        await lab.Client.CreateAsync(ResourceTypes.VirtualServers, Ns, SecondServer("second.example.com"));
        lab.StartController(new ControllerOptions { Workers = 4 }, new TestCertificateSource());
        await lab.ConvergedAsync();

        await Task.WhenAll(Annotate(lab, Egress, "none"), Annotate(lab, "second.example.com", "none"));
        await lab.ConvergedAsync();

        await AssertObjectsGoneAsync(lab);
    }

    [Fact]
    public async Task A_new_certificate_updates_the_Secret_in_place_and_a_restart_after_that_writes_nothing()
    {
        await using var lab = await ControllerLab.StartAsync();
        var certificates = new TestCertificateSource();
        lab.StartController(certificates: certificates);
        await lab.ConvergedAsync();
        var before = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        await lab.StopControllerAsync();

        certificates.Rotate();
        lab.StartController(certificates: certificates);
        await lab.ConvergedAsync();
        var after = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        await lab.StopControllerAsync();
        var writes = lab.Server.Counters.Writes() - lab.Server.Counters.Writes("events");
        lab.StartController(certificates: certificates);
        await lab.ConvergedAsync();

        Assert.Equal(before["metadata"]!["uid"]!.ToString(), after["metadata"]!["uid"]!.ToString());
        Assert.NotEqual(before["data"]!["tls.crt"]!.ToString(), after["data"]!["tls.crt"]!.ToString());
        Assert.Equal(writes, lab.Server.Counters.Writes() - lab.Server.Counters.Writes("events"));
    }

    [Fact]
    public async Task A_CA_failure_before_the_first_certificate_keeps_the_VirtualServer_pending_and_says_why()
    {
        await using var lab = await ControllerLab.StartAsync();
        var certificates = new TestCertificateSource { Failure = new InvalidOperationException("the Istio CA at 10.96.0.10:15012 is unreachable") };
        lab.StartController(certificates: certificates);
        await lab.ConvergedAsync();

        var pending = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress);
        Assert.StartsWith("Pending: CertificatePending", pending["metadata"]!["annotations"]!["meshbridge.io/status"]!.ToString(), StringComparison.Ordinal);
        Assert.Null(pending["spec"]!["policies"]);
        await AssertObjectsGoneAsync(lab);
        var warning = Assert.Single((await lab.Client.ListAsync(ResourceTypes.Events, Ns)).Items, e => e["reason"]!.ToString() == "CertificatePending");
        Assert.Contains("10.96.0.10:15012 is unreachable", warning["note"]!.ToString(), StringComparison.Ordinal);

        certificates.Failure = null;
        await lab.Client.PatchAsync(ResourceTypes.VirtualServers, Ns, Egress,
            new V1Patch(JsonNode.Parse("""{"metadata":{"labels":{"touched":"yes"} } }""")!, PatchType.MergePatch));
        await lab.ConvergedAsync();
        Assert.Equal(PolicyName, (await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress))["spec"]!["policies"]![0]!["name"]!.ToString());
    }

    [Fact]
    public async Task A_CA_failure_after_the_Secrets_exist_changes_nothing_that_serves()
    {
        await using var lab = await ControllerLab.StartAsync();
        var certificates = new TestCertificateSource();
        lab.StartController(certificates: certificates);
        await lab.ConvergedAsync();
        var secret = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");

        certificates.Failure = new InvalidOperationException("the Istio CA is unavailable");
        await lab.Client.PatchAsync(ResourceTypes.VirtualServers, Ns, Egress,
            new V1Patch(JsonNode.Parse("""{"metadata":{"labels":{"touched":"yes"} } }""")!, PatchType.MergePatch));
        await lab.ConvergedAsync();

        var vs = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress);
        Assert.Equal(PolicyName, vs["spec"]!["policies"]![0]!["name"]!.ToString());
        Assert.StartsWith("Meshed: egress-mtls", vs["metadata"]!["annotations"]!["meshbridge.io/status"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(secret["metadata"]!["resourceVersion"]!.ToString(), (await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls"))["metadata"]!["resourceVersion"]!.ToString());
        Assert.True(certificates.Requests >= 1 && certificates.Asked.Count >= 2, "the controller asked again and was refused");
    }

    [Fact]
    public async Task A_renewal_reaches_the_Secrets_with_no_change_to_the_VirtualServer()
    {
        await using var lab = await ControllerLab.StartAsync();
        var issuer = new TestCertificateSource();

        // Renew about a second after issue (12 h × 0.00002): the reconcile that wrote the Secrets must come back by
        // itself when the renewal is due, with nothing else changing.
        var certificates = new RotatingCertificateSource(issuer, TimeProvider.System, new RotationOptions { GraceRatio = 0.99998, GraceRatioJitter = 0 });
        lab.StartController(certificates: certificates);
        await lab.ConvergedAsync();
        var before = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        issuer.Rotate();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonObject after;
        do
        {
            await Task.Yield();
            after = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        }
        while (after["data"]!["tls.crt"]!.ToString() == before["data"]!["tls.crt"]!.ToString() && DateTime.UtcNow < deadline);

        Assert.NotEqual(before["data"]!["tls.crt"]!.ToString(), after["data"]!["tls.crt"]!.ToString());
        Assert.Equal(before["metadata"]!["uid"]!.ToString(), after["metadata"]!["uid"]!.ToString());
    }
}
