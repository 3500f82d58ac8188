using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Certificates;
using MeshBridge.Controller.Certificates;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Lab.Sds;

namespace MeshBridge.Controller.Tests.Integration;

/// <summary>
/// egress-mtls with the <c>sds</c> source end to end: the lab API server, a lab SDS server on a Unix socket standing in
/// for istio-agent or a SPIRE agent, and the controller holding one StreamSecrets stream through
/// <see cref="SdsCertificateSource"/> over the real <see cref="MeshBridge.Certificates.Sds.SdsClient"/>.
/// </summary>
public sealed class EgressMtlsSdsTests
{
    private const string Ns = "demo-meshed";
    private const string Egress = "nic.example.com";
    private const string PolicyName = "meshbridge-mtls.nginx-ingress.nginx-ingress";
    private const string NicSpiffeId = "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string? Status(JsonObject vs) => vs["metadata"]!["annotations"]?["meshbridge.io/status"]?.ToString();

    private static string SecretText(JsonObject secret, string key) => Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![key]!.ToString()));

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {Patience.TotalSeconds:0}s waiting for {what}");
            await Task.Delay(25);
        }
    }

    private static SdsCertificateSource Source(LabSdsServer sds, SdsServerKind kind = SdsServerKind.IstioAgent) => new(
        new SdsSourceOptions { SocketPath = sds.SocketPath, Server = kind, InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(200) },
        TimeProvider.System);

    private static string LeafThumbprint(string chainPem)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(chainPem);
        return chain[0].Thumbprint;
    }

    private static string LeafSpiffeId(string chainPem)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(chainPem);
        return Assert.Single(SubjectAlternativeNames.Uris(chain[0]));
    }

    [Fact]
    public async Task The_pushed_certificate_meshes_the_VirtualServer_and_each_rotation_reaches_the_same_Secrets_by_itself()
    {
        await using var lab = await ControllerLab.StartAsync();
        await using var sds = await LabSdsServer.StartAsync();
        await using var source = Source(sds);
        lab.StartController(certificates: source);
        await EventuallyAsync(async () => Status(await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress)) == "Meshed: egress-mtls as " + NicSpiffeId, "the VirtualServer meshed");
        await lab.ConvergedAsync();

        var before = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        var vsBefore = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress);
        Assert.Equal(NicSpiffeId, LeafSpiffeId(SecretText(before, "tls.crt")));
        Assert.Equal(LeafThumbprint(sds.CertificateChainPem), LeafThumbprint(SecretText(before, "tls.crt")));
        Assert.Equal(sds.RootCertificatePem.Trim(), SecretText(await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".ca"), "ca.crt").Trim());
        await sds.WaitForAckAsync(a => !a.IsNack && a.Version == sds.Version, Patience);

        // istio-agent rotates on its own: nothing in the cluster changes, the push alone must reach the Secret.
        await sds.RotateAsync();
        await EventuallyAsync(
            async () => SecretText(await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls"), "tls.crt") != SecretText(before, "tls.crt"),
            "the rotated certificate in the tls Secret");
        await sds.WaitForAckAsync(a => !a.IsNack && a.Version == sds.Version, Patience);
        await lab.ConvergedAsync();
        var after = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        Assert.Equal(before["metadata"]!["uid"]!.ToString(), after["metadata"]!["uid"]!.ToString());
        Assert.Equal(LeafThumbprint(sds.CertificateChainPem), LeafThumbprint(SecretText(after, "tls.crt")));
        Assert.Equal(vsBefore["metadata"]!["resourceVersion"]!.ToString(), (await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress))["metadata"]!["resourceVersion"]!.ToString());

        // A new root comes the same way, with a certificate from it.
        await sds.ReplaceRootAsync();
        await EventuallyAsync(
            async () => SecretText(await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".ca"), "ca.crt").Trim() == sds.RootCertificatePem.Trim(),
            "the new root in the ca Secret");
        Assert.Equal(1, sds.OpenStreams);
    }

    [Fact]
    public async Task An_agent_serving_another_identity_leaves_the_VirtualServer_pending_with_the_reason()
    {
        await using var lab = await ControllerLab.StartAsync();
        await using var sds = await LabSdsServer.StartAsync(new LabSdsOptions { SpiffeId = "spiffe://cluster.local/ns/meshbridge-system/sa/meshbridge" });
        await using var source = Source(sds);
        lab.StartController(certificates: source);
        await EventuallyAsync(
            async () => Status(await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress)) is { } s && s.StartsWith("Pending: CertificatePending", StringComparison.Ordinal),
            "the VirtualServer pending");

        var warning = (await lab.Client.ListAsync(ResourceTypes.Events, Ns)).Items.First(e => e["reason"]!.ToString() == "CertificatePending");
        Assert.Contains("serves spiffe://cluster.local/ns/meshbridge-system/sa/meshbridge, not " + NicSpiffeId, warning["note"]!.ToString(), StringComparison.Ordinal);
        Assert.Contains("istio-agent serves only its own pod's identity", warning["note"]!.ToString(), StringComparison.Ordinal);
        Assert.Null(await lab.Client.TryGetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls"));
    }

    [Fact]
    public async Task A_SPIRE_agent_is_asked_by_SPIFFE_ID_and_its_validator_bundle_becomes_ca_crt()
    {
        await using var lab = await ControllerLab.StartAsync();
        await using var sds = await LabSdsServer.StartAsync(new LabSdsOptions { Flavour = LabSdsFlavour.Spire });
        await using var source = Source(sds, SdsServerKind.Spire);
        lab.StartController(certificates: source);
        await EventuallyAsync(async () => Status(await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress)) == "Meshed: egress-mtls as " + NicSpiffeId, "the VirtualServer meshed");

        var tls = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        Assert.Equal(NicSpiffeId, LeafSpiffeId(SecretText(tls, "tls.crt")));
        Assert.Equal(sds.RootCertificatePem.Trim(), SecretText(await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".ca"), "ca.crt").Trim());
    }
}
