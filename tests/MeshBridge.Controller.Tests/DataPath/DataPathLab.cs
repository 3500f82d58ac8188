using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Controller.Certificates;
using MeshBridge.Controller.Tests.Integration;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Lab.IstioCa;
using MeshBridge.Lab.Scenarios;
using MeshBridge.Transform;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Tests.DataPath;

/// <summary>
/// The whole egress-mtls data path on one machine: the seed lab API server, a lab Istio CA (its root published as
/// istiod does), the controller getting NIC's certificate through <see cref="RotatingCertificateSource"/> over
/// <see cref="IstioCaCertificateSource"/>, a <see cref="SidecarInbound"/> with its own workload certificate from the
/// same CA standing in for httpbin's sidecar (the httpbin Service's only endpoint, through an EndpointSlice), and a
/// real nginx configured by <see cref="NicTemplate"/> from what the controller wrote — as NIC would configure it.
/// </summary>
internal sealed class DataPathLab : IAsyncDisposable
{
    public const string Ns = "demo-meshed";
    public const string VirtualServerName = "nic.example.com";
    public const string Service = "httpbin";
    public const string TrustDomain = "cluster.local";
    public const string NicSpiffeId = "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress";
    public const string BackendSpiffeId = "spiffe://cluster.local/ns/demo-meshed/sa/httpbin";
    public const string Meshed = "Meshed: egress-mtls as " + NicSpiffeId;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly KubernetesApi caClient;
    private readonly KubernetesApi sourceClient;
    private readonly X509Certificate2 meshRoot;
    private readonly X509Certificate2 backendCertificate;
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(20) };
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("meshbridge-datapath-");
    private int touches;

    private DataPathLab(ControllerLab lab, KubernetesApi caClient, X509Certificate2 meshRoot, LabIstioCa ca, X509Certificate2 backendCertificate, SidecarInbound backend, NginxProcess nginx)
    {
        Lab = lab;
        this.caClient = caClient;
        this.meshRoot = meshRoot;
        Ca = ca;
        this.backendCertificate = backendCertificate;
        Backend = backend;
        Nginx = nginx;
        sourceClient = lab.NewMeshBridgeClient();
        Certificates = new RotatingCertificateSource(
            new IstioCaCertificateSource(sourceClient, new IstioCaSourceOptions { AddressOverride = $"127.0.0.1:{ca.Port}", ServerName = LabIstioCa.ServerName }, TimeProvider.System),
            RotationClock,
            new RotationOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(200) });
    }

    public ControllerLab Lab { get; }

    public LabIstioCa Ca { get; }

    public SidecarInbound Backend { get; }

    public NginxProcess Nginx { get; }

    public RotatingCertificateSource Certificates { get; }

    /// <summary>The clock the rotation step reads: the system clock, moved forward to bring a renewal due now.</summary>
    public ShiftedClock RotationClock { get; } = new();

    /// <summary>
    /// Starts everything up to a converged controller (the seed's <c>nic.example.com</c> is annotated egress-mtls);
    /// nginx is created but starts on the first <see cref="NginxProcess.ApplyAsync"/>.
    /// </summary>
    public static async Task<DataPathLab> StartAsync()
    {
        // Fail first, and clearly, when nginx is missing.
        var nginx = NginxProcess.Create();
        ControllerLab? lab = null;
        KubernetesApi? caClient = null;

        // The mesh root is plugged in (istiod's cacerts) so the test can also sign with it.
        var meshRoot = TestRoots.Root(TrustDomain);
        LabIstioCa? ca = null;
        X509Certificate2? backendCertificate = null;
        SidecarInbound? backend = null;
        try
        {
            lab = await ControllerLab.StartAsync();
            caClient = lab.NewClient();
            ca = await LabIstioCa.StartAsync(new TokenReviewAuthenticator(caClient, [IstioCaSourceOptions.TokenAudience]), new IstioCaOptions { Root = meshRoot });
            LabMesh.PublishRoot(lab.Server, ca.RootCertificatePem);
            LabMesh.EnsureServiceAccounts(lab.Server);

            // httpbin's sidecar gets its workload certificate from the same CA, as istio-agent would.
            using var backendClient = lab.NewClient();
            var source = new IstioCaCertificateSource(backendClient, new IstioCaSourceOptions { AddressOverride = $"127.0.0.1:{ca.Port}", ServerName = LabIstioCa.ServerName }, TimeProvider.System);
            var issued = await source.GetAsync(new MeshIdentity(new NicIdentity(Ns, Service), TrustDomain), CancellationToken.None)
                ?? throw new InvalidOperationException("the lab CA issued no certificate for httpbin");
            using (var withKey = X509Certificate2.CreateFromPem(issued.CertificateChainPem, issued.PrivateKeyPem))
            {
                backendCertificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            }

            backend = await SidecarInbound.StartAsync(backendCertificate, ca.RootCertificate, TrustDomain);

            // NIC keeps pod IPs in egress-mtls mode and takes them from the Service's EndpointSlices: the stand-in is
            // the httpbin pod, on loopback.
            await lab.Client.CreateAsync(ResourceTypes.EndpointSlices, Ns, JsonNode.Parse($$"""
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                 "metadata":{"name":"httpbin-lab","namespace":"{{Ns}}","labels":{"kubernetes.io/service-name":"{{Service}}"} },
                 "addressType":"IPv4",
                 "endpoints":[{"addresses":["127.0.0.1"],"conditions":{"ready":true} }],
                 "ports":[{"name":"http","port":{{backend.Port}},"protocol":"TCP"}]}
                """)!.AsObject());

            var dataPath = new DataPathLab(lab, caClient, meshRoot, ca, backendCertificate, backend, nginx);
            lab.StartController(certificates: dataPath.Certificates);
            await dataPath.MeshedAsync();
            await lab.ConvergedAsync();
            return dataPath;
        }
        catch
        {
            await nginx.DisposeAsync();
            if (backend is not null)
            {
                await backend.DisposeAsync();
            }

            backendCertificate?.Dispose();
            if (lab is not null)
            {
                await lab.DisposeAsync();
            }

            if (ca is not null)
            {
                await ca.DisposeAsync();
            }

            caClient?.Dispose();
            meshRoot.Dispose();
            throw;
        }
    }

    public Task MeshedAsync() => Eventually(
        async () => (await Lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, VirtualServerName))["metadata"]?["annotations"]?["meshbridge.io/status"]?.ToString() == Meshed,
        $"{Ns}/{VirtualServerName} to say \"{Meshed}\"");

    /// <summary>A workload certificate for <paramref name="spiffeId"/> signed with the mesh root itself (tls.crt, tls.key PEM).</summary>
    public (string Crt, string Key) IssueFromMeshRoot(string spiffeId) => TestRoots.Leaf(meshRoot, spiffeId);

    /// <summary>The Secret as the API server holds it now.</summary>
    public Task<JsonObject> SecretAsync(string name) => Lab.Client.GetAsync(ResourceTypes.Secrets, Ns, name);

    /// <summary>
    /// Reads back the VirtualServer, the Policies it references, their Secrets, the upstreams' Services and
    /// EndpointSlices, and renders nginx from those only. <paramref name="substitute"/> may replace a Secret's read-back
    /// form (to configure nginx with a certificate the controller did not write).
    /// </summary>
    public async Task<NicRendering> RenderAsync(Func<JsonObject, JsonObject>? substitute = null)
    {
        var vs = await Lab.Client.GetAsync(ResourceTypes.VirtualServers, Ns, VirtualServerName);
        var policies = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var reference in (vs["spec"]?["policies"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = reference["name"]!.GetValue<string>();
            var policy = await Lab.Client.GetAsync(ResourceTypes.Policies, Ns, name);
            policies[name] = policy;
            foreach (var key in new[] { "tlsSecret", "trustedCertSecret" })
            {
                if (policy["spec"]?["egressMTLS"]?[key]?.GetValue<string>() is { } secretName)
                {
                    var secret = await SecretAsync(secretName);
                    secrets[secretName] = substitute is null ? secret : substitute(secret);
                }
            }
        }

        var slices = (await Lab.Client.ListAsync(ResourceTypes.EndpointSlices, Ns)).Items;
        var servers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var upstream in (vs["spec"]?["upstreams"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var service = await Lab.Client.GetAsync(ResourceTypes.Services, Ns, upstream["service"]!.GetValue<string>());
            servers[upstream["name"]!.GetValue<string>()] = NicTemplate.Endpoints(service, slices, upstream["port"]!.GetValue<int>());
        }

        return NicTemplate.Render(vs, policies, secrets, servers, Nginx.Directory, Nginx.SecretDirectory, Nginx.Port);
    }

    /// <summary>One request through nginx, on a connection of its own, for the VirtualServer's host.</summary>
    public Task<(HttpStatusCode Status, string Body)> GetAsync(string path, params (string Name, string Value)[] headers) => SendAsync(path, keepAlive: false, headers);

    /// <summary>
    /// One request through nginx for the VirtualServer's host; with <paramref name="keepAlive"/> on a pooled
    /// connection, which a reload closes when idle (the client retries a request on a closed pooled connection).
    /// </summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(string path, bool keepAlive, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Nginx.Address, path));
        request.Headers.Host = VirtualServerName;
        request.Headers.ConnectionClose = !keepAlive;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The X-Forwarded-Client-Cert the app behind the sidecar received, from a 200 answer's body.</summary>
    public static string Xfcc(string body) => JsonDocument.Parse(body).RootElement.GetProperty("xfcc").GetString()!;

    /// <summary>
    /// The judge's Hash: <c>openssl x509 -outform DER</c> then <c>openssl dgst -sha256</c> over the first certificate
    /// of <paramref name="certificatePem"/> (tls.crt as read back), by the openssl CLI rather than .NET.
    /// </summary>
    public async Task<string> OpensslHashAsync(string certificatePem)
    {
        var name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var pem = Path.Combine(work.FullName, name + ".pem");
        var der = Path.Combine(work.FullName, name + ".der");
        await File.WriteAllTextAsync(pem, certificatePem);
        var need = "the openssl command-line tool";
        var (code, _, stderr) = await ChildProcess.RunAsync("openssl", work.FullName, ["x509", "-in", pem, "-outform", "DER", "-out", der], need, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"openssl x509 failed: {stderr}");
        (code, var stdout, stderr) = await ChildProcess.RunAsync("openssl", work.FullName, ["dgst", "-sha256", "-r", der], need, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"openssl dgst failed: {stderr}");
        return stdout.Split(' ', 2)[0].Trim();
    }

    /// <summary>A change to the VirtualServer, so the controller reconciles it now (its own requeue would come later).</summary>
    public Task TouchAsync() => Lab.Client.PatchAsync(ResourceTypes.VirtualServers, Ns, VirtualServerName,
        new V1Patch(JsonNode.Parse($$"""{"metadata":{"labels":{"datapath-touched":"{{Interlocked.Increment(ref touches)}}"} } }""")!, PatchType.MergePatch));

    public static string SecretText(JsonObject secret, string key) => Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![key]!.ToString()));

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Patience;
        using var deadline = new CancellationTokenSource(limit);
        while (!await condition())
        {
            try
            {
                await Task.Delay(25, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds:0}s waiting for {what}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Nginx.DisposeAsync();
        await Backend.DisposeAsync();
        backendCertificate.Dispose();
        await Lab.DisposeAsync();
        await Ca.DisposeAsync();
        caClient.Dispose();
        sourceClient.Dispose();
        meshRoot.Dispose();
        http.Dispose();
        work.Delete(recursive: true);
    }
}

/// <summary>The system clock plus an offset a test moves forward (timers stay the system's).</summary>
internal sealed class ShiftedClock : TimeProvider
{
    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public void Shift(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
}
