using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MeshBridge.Certificates.IstioCa;
using MeshBridge.Controller.Certificates;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Transform;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Tests.Certificates;

/// <summary>
/// The istio-ca source against the lab API server (Services, ConfigMaps, TokenRequest) and a stand-in istiod of grpc-js
/// and openssl that authenticates the minted token as istiod would: RS256 signature of the API server's key, audience
/// istio-ca, identity from <c>sub</c> (tests/Shared/IstiodStandIn.cs).
/// </summary>
public sealed class IstioCaCertificateSourceTests : IAsyncLifetime
{
    private const string NicNamespace = "nginx-ingress";
    private static readonly MeshIdentity Nic = new(new NicIdentity(NicNamespace, "nginx-ingress"), "cluster.local");

    private LabApiServer _server = null!;
    private DirectoryInfo _directory = null!;
    private KubernetesApi _client = null!;

    public async Task InitializeAsync()
    {
        _server = await LabApiServer.StartAsync();
        _directory = Directory.CreateTempSubdirectory("mb-istio-ca-source-");
        _client = new KubernetesApi(KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.WriteKubeconfig(Path.Combine(_directory.FullName, "kubeconfig"))));
        foreach (var ns in new[] { NicNamespace, IstiodStandIn.IstioNamespace })
        {
            await _client.CreateAsync(ResourceTypes.Namespaces, null, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        await _client.CreateAsync(ResourceTypes.ServiceAccounts, NicNamespace, Object("ServiceAccount", "nginx-ingress"));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task GetAsync_RootInNicsNamespace_ReturnsTheCertificateTheCaIssuedForTheMintedToken()
    {
        await using var istiod = await StartIstiodAsync();
        await CreateRootAsync(NicNamespace, istiod.RootPem);

        var issued = await Source(istiod.Address).GetAsync(Nic, CancellationToken.None);

        Assert.NotNull(issued);
        Assert.Contains($"issued {Nic.SpiffeId} validity=86400 clusterid=", istiod.Lines);
        using var leaf = X509Certificate2.CreateFromPem(issued.CertificateChainPem, issued.PrivateKeyPem);
        Assert.True(leaf.HasPrivateKey);
        Assert.Equal(istiod.RootPem.Trim(), issued.RootBundlePem.Trim());
        Assert.Equal(new DateTimeOffset(leaf.NotAfter.ToUniversalTime()), issued.NotAfter);
    }

    [Fact]
    public async Task GetAsync_RootOnlyInTheIstioNamespace_FallsBackToIt()
    {
        await using var istiod = await StartIstiodAsync();
        await CreateRootAsync(IstiodStandIn.IstioNamespace, istiod.RootPem);

        var issued = await Source(istiod.Address).GetAsync(Nic, CancellationToken.None);

        Assert.NotNull(issued);
    }

    [Fact]
    public async Task GetAsync_TrustDomainTheCaDoesNotIssue_FailsVerification()
    {
        await using var istiod = await StartIstiodAsync();
        await CreateRootAsync(NicNamespace, istiod.RootPem);

        var e = await Assert.ThrowsAsync<IstioCaException>(() => Source(istiod.Address).GetAsync(Nic with { TrustDomain = "mesh.example" }, CancellationToken.None));

        Assert.Equal(IstioCaFailure.Verification, e.Failure);
        Assert.Contains("is not the identity asked for spiffe://mesh.example/ns/nginx-ingress/sa/nginx-ingress", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_CaThatTrustsAnotherApiServerKey_FailsUnauthenticated()
    {
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        await using var istiod = await IstiodStandIn.StartAsync(new Dictionary<string, string>(), otherKey.ExportSubjectPublicKeyInfoPem());
        await CreateRootAsync(NicNamespace, istiod.RootPem);

        var e = await Assert.ThrowsAsync<IstioCaException>(() => Source(istiod.Address).GetAsync(Nic, CancellationToken.None));

        Assert.Equal(IstioCaFailure.Unauthenticated, e.Failure);
        Assert.Contains("refused 16", istiod.Lines);
    }

    [Fact]
    public async Task GetAsync_NoRootConfigMap_NamesBothNamespaces()
    {
        var e = await Assert.ThrowsAsync<CertificateSourceException>(() => Source("127.0.0.1:1").GetAsync(Nic, CancellationToken.None));

        Assert.Contains("istio-ca-root-cert", e.Message, StringComparison.Ordinal);
        Assert.Contains("neither in nginx-ingress nor in istio-system", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_NoIstiodService_NamesTheRevisionedService()
    {
        var source = new IstioCaCertificateSource(_client, new IstioCaSourceOptions { IstioRevision = "canary" }, TimeProvider.System);

        var e = await Assert.ThrowsAsync<CertificateSourceException>(() => source.GetAsync(Nic, CancellationToken.None));

        Assert.Contains("Service istio-system/istiod-canary was not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_IstiodServiceWithoutTheCaPort_SaysSo()
    {
        var service = Object("Service", "istiod");
        service["spec"] = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["name"] = "grpc-xds", ["port"] = 15010 }) };
        await _client.CreateAsync(ResourceTypes.Services, IstiodStandIn.IstioNamespace, service);

        var e = await Assert.ThrowsAsync<CertificateSourceException>(() =>
            new IstioCaCertificateSource(_client, new IstioCaSourceOptions(), TimeProvider.System).GetAsync(Nic, CancellationToken.None));

        Assert.Contains("Service istio-system/istiod has no port 15012", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_ServiceAccountThatDoesNotExist_ExplainsTheTokenRequest()
    {
        await using var istiod = await StartIstiodAsync();
        await CreateRootAsync(NicNamespace, istiod.RootPem);

        var e = await Assert.ThrowsAsync<CertificateSourceException>(() =>
            Source(istiod.Address).GetAsync(new MeshIdentity(new NicIdentity(NicNamespace, "missing"), "cluster.local"), CancellationToken.None));

        Assert.Contains("TokenRequest for service account nginx-ingress/missing failed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ServerName_FollowsTheRevision()
    {
        Assert.Equal("istiod.istio-system.svc", new IstioCaSourceOptions().EffectiveServerName);
        Assert.Equal("istiod-canary.istio-ns.svc", new IstioCaSourceOptions { IstioRevision = "canary", IstioNamespace = "istio-ns" }.EffectiveServerName);
    }

    private Task<IstiodStandIn> StartIstiodAsync() =>
        IstiodStandIn.StartAsync(new Dictionary<string, string>(), _server.Tokens.ExportPublicKeyPem());

    private IstioCaCertificateSource Source(string address) =>
        new(_client, new IstioCaSourceOptions { AddressOverride = address }, TimeProvider.System);

    private async Task CreateRootAsync(string ns, string pem)
    {
        var configMap = Object("ConfigMap", IstioCaCertificateSource.RootConfigMap);
        configMap["data"] = new JsonObject { [IstioCaCertificateSource.RootKey] = pem };
        await _client.CreateAsync(ResourceTypes.ConfigMaps, ns, configMap);
    }

    private static JsonObject Object(string kind, string name) =>
        new() { ["apiVersion"] = "v1", ["kind"] = kind, ["metadata"] = new JsonObject { ["name"] = name } };
}
