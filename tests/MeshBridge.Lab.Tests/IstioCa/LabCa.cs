using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MeshBridge.Grpc;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.IstioCa;
using MeshBridge.Protos.Istio;

namespace MeshBridge.Lab.Tests.IstioCa;

/// <summary>
/// A lab API server (on a clock the test moves, so tokens can expire) with two service accounts, and a lab Istio CA
/// reviewing tokens through it over HTTPS, as istiod does through kube-apiserver.
/// </summary>
internal sealed class LabCa : IAsyncDisposable
{
    public const string Namespace = "mesh-apps";
    public const string Web = "web";
    public const string Other = "other";

    private readonly Kubernetes.Client.Kubernetes _client;

    private LabCa(LabApiServer api, Kubernetes.Client.Kubernetes client, LabIstioCa ca, ManualTimeProvider apiClock)
    {
        Api = api;
        _client = client;
        Ca = ca;
        ApiClock = apiClock;
    }

    /// <summary>The method as the product's client calls it.</summary>
    public static Method<IstioCertificateRequest, IstioCertificateResponse> CreateCertificate => MeshBridge.Certificates.IstioCa.IstioCaClient.CreateCertificateMethod;

    public LabApiServer Api { get; }

    public LabIstioCa Ca { get; }

    /// <summary>The API server's clock, which token expiry is judged by.</summary>
    public ManualTimeProvider ApiClock { get; }

    public string WebId => Ca.SpiffeId(Namespace, Web);

    public static async Task<LabCa> StartAsync(IstioCaOptions? options = null)
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var api = await LabApiServer.StartAsync(new LabApiServerOptions { Time = clock });
        api.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Namespace } });
        foreach (var sa in new[] { Web, Other })
        {
            api.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = new JsonObject { ["name"] = sa, ["namespace"] = Namespace } });
        }

        var client = new Kubernetes.Client.Kubernetes(new KubernetesClientConfiguration
        {
            Host = api.BaseAddress.ToString(),
            SslCaCerts = [X509CertificateLoader.LoadCertificate(api.CertificateAuthority.RawData)],
            AccessToken = api.AdminToken,
        });
        var ca = await LabIstioCa.StartAsync(new TokenReviewAuthenticator(client, ["istio-ca"]), options);
        return new LabCa(api, client, ca, clock);
    }

    /// <summary>A TokenRequest token, as the controller mints one for the NIC service account.</summary>
    public async Task<string> TokenAsync(string serviceAccount = Web, string audience = "istio-ca", long expirationSeconds = 3600) =>
        (await _client.CreateTokenAsync(Namespace, serviceAccount, [audience], expirationSeconds)).Token;

    /// <summary>A MeshBridge.Grpc channel trusting the mesh root and validating <c>istiod.istio-system.svc</c>.</summary>
    public GrpcChannel Channel() => GrpcChannel.ForAddress(Ca.Address, new GrpcChannelOptions
    {
        RootCertificates = [Ca.RootCertificate],
        ExpectedServerName = LabIstioCa.ServerName,
    });

    /// <summary>One CreateCertificate call with MeshBridge's own client.</summary>
    public async Task<IstioCertificateResponse> CallAsync(string? token, string csrPem, long validitySeconds, DateTime? deadline = null)
    {
        using var channel = Channel();
        var headers = new Metadata();
        if (token is not null)
        {
            headers.Add("authorization", $"Bearer {token}");
        }

        return await channel.UnaryAsync(
            CreateCertificate,
            new IstioCertificateRequest { Csr = csrPem, ValidityDuration = validitySeconds },
            new CallOptions(headers, deadline));
    }

    /// <summary>Validities are whole seconds and read from a running clock: equal within two seconds.</summary>
    public static void AssertAbout(TimeSpan expected, TimeSpan actual) =>
        Assert.InRange(actual, expected - TimeSpan.FromSeconds(2), expected + TimeSpan.FromSeconds(2));

    public async ValueTask DisposeAsync()
    {
        await Ca.DisposeAsync();
        _client.Dispose();
        await Api.DisposeAsync();
    }
}
