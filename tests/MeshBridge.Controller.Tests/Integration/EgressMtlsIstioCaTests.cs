using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Controller.Certificates;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Lab.IstioCa;
using MeshBridge.Lab.Scenarios;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Tests.Integration;

/// <summary>
/// egress-mtls end to end with the real certificate path: the lab API server, a lab Istio CA reviewing tokens against
/// it, and the controller asking the CA through <see cref="RotatingCertificateSource"/> over
/// <see cref="IstioCaCertificateSource"/> (TokenRequest for NIC's service account, CSR, gRPC, chain verification).
/// </summary>
public sealed class EgressMtlsIstioCaTests
{
    private const string Ns = "demo-meshed";
    private const string OtherNs = "demo-other";
    private const string Egress = "nic.example.com";
    private const string PolicyName = "meshbridge-mtls.nginx-ingress.nginx-ingress";
    private const string NicSpiffeId = "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress";
    private const string Meshed = "Meshed: egress-mtls as " + NicSpiffeId;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>The seed lab plus a lab Istio CA whose root is in every namespace's istio-ca-root-cert, as istiod writes it.</summary>
    private sealed class MeshLab : IAsyncDisposable
    {
        private readonly KubernetesApi caClient;

        private MeshLab(ControllerLab lab, KubernetesApi caClient, LabIstioCa ca, RotationOptions? rotation)
        {
            Lab = lab;
            this.caClient = caClient;
            Ca = ca;
            Certificates = new RotatingCertificateSource(
                new IstioCaCertificateSource(lab.NewMeshBridgeClient(), new IstioCaSourceOptions { AddressOverride = $"127.0.0.1:{ca.Port}", ServerName = LabIstioCa.ServerName }, TimeProvider.System),
                TimeProvider.System,
                rotation ?? new RotationOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(200) });
        }

        public ControllerLab Lab { get; }

        public LabIstioCa Ca { get; }

        public RotatingCertificateSource Certificates { get; }

        public static async Task<MeshLab> StartAsync(RotationOptions? rotation = null)
        {
            var lab = await ControllerLab.StartAsync();
            var caClient = lab.NewClient();
            var ca = await LabIstioCa.StartAsync(new TokenReviewAuthenticator(caClient, [IstioCaSourceOptions.TokenAudience]));
            LabMesh.PublishRoot(lab.Server, ca.RootCertificatePem);
            LabMesh.EnsureServiceAccounts(lab.Server);
            return new MeshLab(lab, caClient, ca, rotation);
        }

        public void StartController() => Lab.StartController(certificates: Certificates);

        public async ValueTask DisposeAsync()
        {
            await Lab.DisposeAsync();
            await Ca.DisposeAsync();
            caClient.Dispose();
        }
    }

    private static Task Annotate(ControllerLab lab, string ns, string name, string mode) => lab.Client.PatchAsync(ResourceTypes.VirtualServers, ns, name,
        new V1Patch(JsonNode.Parse($$"""{"metadata":{"annotations":{"meshbridge.io/mode":"{{mode}}"} } }""")!, PatchType.MergePatch));

    private static string? Status(JsonObject vs) => vs["metadata"]!["annotations"]?["meshbridge.io/status"]?.ToString();

    /// <summary>The URI GeneralNames ([6] IA5String) of the certificate's subjectAltName.</summary>
    private static List<string> UriSans(X509Certificate2 certificate)
    {
        var extension = Assert.Single(certificate.Extensions.Cast<X509Extension>(), e => e.Oid?.Value == "2.5.29.17");
        var names = new System.Formats.Asn1.AsnReader(extension.RawData, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var uris = new List<string>();
        var uriTag = new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 6);
        while (names.HasData)
        {
            if (names.PeekTag().HasSameClassAndValue(uriTag))
            {
                uris.Add(names.ReadCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, uriTag));
            }
            else
            {
                names.ReadEncodedValue();
            }
        }

        return uris;
    }

    private static string SecretText(JsonObject secret, string key) => Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![key]!.ToString()));

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            try
            {
                await Task.Delay(25, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:0}s waiting for {what}");
            }
        }
    }

    private static Task MeshedAsync(ControllerLab lab, string ns, string name, TimeSpan? timeout = null) => EventuallyAsync(
        async () => Status(await lab.Client.GetAsync(ResourceTypes.VirtualServers, ns, name)) == Meshed, $"{ns}/{name} to say \"{Meshed}\"", timeout ?? Patience);

    [Fact]
    public async Task An_annotated_VirtualServer_converges_with_a_certificate_from_the_Istio_CA_for_NICs_identity()
    {
        await using var mesh = await MeshLab.StartAsync();
        var lab = mesh.Lab;
        await Annotate(lab, Ns, Egress, "none");
        mesh.StartController();
        await lab.ConvergedAsync();
        Assert.Equal(0, mesh.Ca.IssuedCount(NicSpiffeId));

        await Annotate(lab, Ns, Egress, "egress-mtls");
        await MeshedAsync(lab, Ns, Egress);
        await lab.ConvergedAsync();

        var vs = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress);
        var tls = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        var ca = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".ca");
        Assert.Equal(Meshed, Status(vs));
        Assert.Equal(PolicyName, vs["spec"]!["policies"]![0]!["name"]!.ToString());
        Assert.Equal("kubernetes.io/tls", tls["type"]!.ToString());
        Assert.Equal(NicSpiffeId, mesh.Ca.SpiffeId("nginx-ingress", "nginx-ingress"));
        Assert.Equal(1, mesh.Ca.IssuedCount(NicSpiffeId));

        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(SecretText(tls, "tls.crt"));
        using var leaf = chain[0];
        using var trusted = new X509Chain();
        trusted.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        trusted.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        trusted.ChainPolicy.CustomTrustStore.Add(mesh.Ca.RootCertificate);
        trusted.ChainPolicy.ExtraStore.AddRange(chain);
        Assert.True(trusted.Build(leaf), string.Join("; ", trusted.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(mesh.Ca.RootCertificate.Thumbprint, trusted.ChainElements[^1].Certificate.Thumbprint);
        Assert.Equal([NicSpiffeId], UriSans(leaf));
        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(SecretText(tls, "tls.key"));
        Assert.Equal(leaf.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
        Assert.Equal(mesh.Ca.RootCertificatePem.Trim(), SecretText(ca, "ca.crt").Trim());
    }

    [Fact]
    public async Task Two_VirtualServers_in_two_namespaces_with_the_same_NIC_identity_cost_one_CreateCertificate()
    {
        await using var mesh = await MeshLab.StartAsync();
        var lab = mesh.Lab;
        await lab.Client.CreateAsync(ResourceTypes.Namespaces, null, JsonNode.Parse($$"""
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{OtherNs}}","labels":{"istio-injection":"enabled"} } }
            """)!.AsObject());
        await lab.Client.CreateAsync(ResourceTypes.Services, OtherNs, JsonNode.Parse($$"""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"httpbin","namespace":"{{OtherNs}}"},
             "spec":{"type":"ClusterIP","selector":{"app":"httpbin"},"ports":[{"name":"http","port":8081,"targetPort":80}]} }
            """)!.AsObject());
        await lab.Client.CreateAsync(ResourceTypes.VirtualServers, OtherNs, JsonNode.Parse($$"""
            {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"other.example.com","namespace":"{{OtherNs}}","annotations":{"meshbridge.io/mode":"egress-mtls"} },
             "spec":{"ingressClassName":"nginx","host":"other.example.com","upstreams":[{"name":"httpbin","service":"httpbin","port":8081}],
                     "routes":[{"path":"/","action":{"pass":"httpbin"} }]} }
            """)!.AsObject());

        mesh.StartController();
        await MeshedAsync(lab, Ns, Egress);
        await MeshedAsync(lab, OtherNs, "other.example.com");
        await lab.ConvergedAsync();

        var here = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        var there = await lab.Client.GetAsync(ResourceTypes.Secrets, OtherNs, PolicyName + ".tls");
        Assert.Equal(SecretText(here, "tls.crt"), SecretText(there, "tls.crt"));
        Assert.Equal(1, mesh.Ca.IssuedCount(NicSpiffeId));
        Assert.Equal(1, mesh.Ca.IssuedCertificates.Values.Sum());
    }

    [Fact]
    public async Task A_CA_outage_before_the_first_certificate_leaves_the_VirtualServer_unreferenced_until_the_CA_is_back()
    {
        await using var mesh = await MeshLab.StartAsync();
        var lab = mesh.Lab;
        var identity = new MeshIdentity(new Transform.NicIdentity("nginx-ingress", "nginx-ingress"), "cluster.local");
        mesh.Ca.Faults.SetUnavailable(true);
        mesh.StartController();
        await EventuallyAsync(
            async () => mesh.Certificates.Failures(identity) >= 1 &&
                Status(await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress)) is { } status && status.StartsWith("Pending: CertificatePending", StringComparison.Ordinal),
            "a failed CreateCertificate call and the VirtualServer saying Pending: CertificatePending",
            Patience);

        var waiting = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress);
        Assert.Null(waiting["spec"]!["policies"]);
        Assert.Null(waiting["spec"]!["upstreams"]![0]!["tls"]);
        Assert.Null(await lab.Client.TryGetAsync(ResourceTypes.Policies, Ns, PolicyName));
        Assert.Null(await lab.Client.TryGetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls"));
        Assert.Null(await lab.Client.TryGetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".ca"));
        Assert.Equal(0, mesh.Ca.IssuedCount(NicSpiffeId));

        mesh.Ca.Faults.Clear();

        // The waiting VirtualServer is looked at again a minute later at the latest; a change brings it sooner (the
        // source may still be backing off from its last failure for a moment, so each look is a new change).
        var touch = 0;
        await EventuallyAsync(
            async () =>
            {
                await lab.Client.PatchAsync(ResourceTypes.VirtualServers, Ns, Egress,
                    new V1Patch(JsonNode.Parse($$"""{"metadata":{"labels":{"touched":"{{++touch}}"} } }""")!, PatchType.MergePatch));
                await lab.ConvergedAsync();
                return Status(await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress)) is { } status && status.StartsWith("Meshed:", StringComparison.Ordinal);
            },
            "the VirtualServer meshed once the CA answers",
            Patience);

        var vs = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress);
        Assert.Equal(PolicyName, vs["spec"]!["policies"]![0]!["name"]!.ToString());
        Assert.NotNull(await lab.Client.TryGetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls"));
        Assert.Equal(1, mesh.Ca.IssuedCount(NicSpiffeId));
        Assert.Equal(0, mesh.Certificates.Failures(identity));
    }

    [Fact]
    public async Task A_new_mesh_root_brings_a_certificate_from_it_into_the_same_Secrets_once()
    {
        await using var mesh = await MeshLab.StartAsync();
        var lab = mesh.Lab;
        mesh.StartController();
        await MeshedAsync(lab, Ns, Egress);
        await lab.ConvergedAsync();
        var before = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        Assert.Equal(1, mesh.Ca.IssuedCount(NicSpiffeId));

        // istiod moves to a new root (a plugged-in CA's rotation) and publishes both roots while workloads move over.
        mesh.Ca.RotateRoot();
        LabMesh.PublishRoot(lab.Server, mesh.Ca.RootBundlePem);
        await EventuallyAsync(
            async () => SecretText(await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls"), "tls.crt") != SecretText(before, "tls.crt"),
            "the tls Secret to carry a certificate from the new root",
            Patience);
        await lab.ConvergedAsync();

        var after = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        var ca = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".ca");
        Assert.Equal(before["metadata"]!["uid"]!.ToString(), after["metadata"]!["uid"]!.ToString());
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(SecretText(after, "tls.crt"));
        using var trusted = new X509Chain();
        trusted.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        trusted.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        trusted.ChainPolicy.CustomTrustStore.Add(mesh.Ca.SigningRoot);
        Assert.True(trusted.Build(chain[0]), "the new certificate chains to the new root");
        Assert.NotEqual(mesh.Ca.RootCertificate.Thumbprint, mesh.Ca.SigningRoot.Thumbprint);
        Assert.Contains(mesh.Ca.SigningRoot.ExportCertificatePem().Trim(), SecretText(ca, "ca.crt"), StringComparison.Ordinal);
        Assert.Equal(2, mesh.Ca.IssuedCount(NicSpiffeId));

        // The published bundle (both roots) never equals the new certificate's root alone: that must not become a CSR per reconcile.
        await lab.Client.PatchAsync(ResourceTypes.VirtualServers, Ns, Egress, new V1Patch(JsonNode.Parse("""{"metadata":{"labels":{"touched":"1"} } }""")!, PatchType.MergePatch));
        await lab.ConvergedAsync();
        Assert.Equal(2, mesh.Ca.IssuedCount(NicSpiffeId));
    }

    [Fact]
    public async Task A_renewal_failing_while_the_certificate_is_still_served_warns_on_the_VirtualServer()
    {
        // Renewal due about two seconds after issue (24 h × 0.00002).
        await using var mesh = await MeshLab.StartAsync(new RotationOptions
        {
            GraceRatio = 0.99998,
            GraceRatioJitter = 0,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
        });
        var lab = mesh.Lab;
        var identity = new MeshIdentity(new Transform.NicIdentity("nginx-ingress", "nginx-ingress"), "cluster.local");
        mesh.StartController();
        await MeshedAsync(lab, Ns, Egress);
        await lab.ConvergedAsync();
        var before = await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls");
        mesh.Ca.Faults.SetUnavailable(true);

        await EventuallyAsync(
            async () => (await lab.Client.ListAsync(ResourceTypes.Events, Ns)).Items.Any(e => e["reason"]!.ToString() == "CertificateRenewalFailed"),
            "a CertificateRenewalFailed Warning",
            Patience);

        var warning = (await lab.Client.ListAsync(ResourceTypes.Events, Ns)).Items.First(e => e["reason"]!.ToString() == "CertificateRenewalFailed");
        Assert.Equal("Warning", warning["type"]!.ToString());
        Assert.Equal(Egress, warning["regarding"]!["name"]!.ToString());
        Assert.Contains(NicSpiffeId, warning["note"]!.ToString(), StringComparison.Ordinal);
        Assert.Contains("stays in use until", warning["note"]!.ToString(), StringComparison.Ordinal);
        Assert.True(mesh.Certificates.Failures(identity) >= 1);

        // Nothing was taken away: the VirtualServer still presents the certificate it had, from the same Secret.
        var vs = await lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, Egress);
        Assert.Equal(Meshed, Status(vs));
        Assert.Equal(PolicyName, vs["spec"]!["policies"]![0]!["name"]!.ToString());
        Assert.Equal(SecretText(before, "tls.crt"), SecretText(await lab.Client.GetAsync(ResourceTypes.Secrets, Ns, PolicyName + ".tls"), "tls.crt"));
    }
}
