using System.Net;
using System.Net.Http.Json;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client.Configuration;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>The handler from <see cref="KubernetesClientConfiguration.CreateHttpMessageHandler"/> against a real Kestrel HTTPS server.</summary>
public sealed class TlsHandlerTests : IDisposable
{
    private const string ServiceName = "kubernetes.default.svc";

    private readonly TempDirectory temp = new();
    private readonly TestCertificateAuthority authority = new("cluster-ca");

    public void Dispose()
    {
        authority.Dispose();
        temp.Dispose();
    }

    [Fact]
    public async Task A_kubeconfig_with_the_cluster_CA_and_a_token_reaches_the_server_and_sends_the_token()
    {
        await using var server = await StartAsync(clientCertificates: false);
        var kubeconfig = Kubeconfig(server, $"certificate-authority-data: {TestCertificateAuthority.Base64(authority.CertificatePem)}", "{token: static-token}");
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);

        var echo = await GetAsync(config);

        Assert.Equal("Bearer static-token", (string?)echo["authorization"]);
    }

    [Fact]
    public async Task A_server_certificate_from_an_unknown_CA_is_rejected()
    {
        await using var server = await StartAsync(clientCertificates: false);
        using var stranger = new TestCertificateAuthority("someone-else");
        var config = new KubernetesClientConfiguration { Host = server.BaseUri.ToString(), SslCaCerts = [stranger.Certificate], AccessToken = "t" };

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(config));

        Assert.IsType<AuthenticationException>(e.InnerException);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Without_a_CA_the_system_roots_do_not_trust_the_test_CA()
    {
        await using var server = await StartAsync(clientCertificates: false);
        var config = new KubernetesClientConfiguration { Host = server.BaseUri.ToString() };

        await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(config));
    }

    [Fact]
    public async Task The_client_certificate_from_the_kubeconfig_is_presented_when_the_server_requires_one()
    {
        await using var server = await StartAsync(clientCertificates: true);
        using var client = authority.IssueClient("admin", rsa: true);
        var user = $"{{client-certificate-data: {TestCertificateAuthority.Base64(Pem.Certificate(client))}, client-key-data: {TestCertificateAuthority.Base64(Pem.TraditionalKey(client))}}}";
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig(server, $"certificate-authority-data: {TestCertificateAuthority.Base64(authority.CertificatePem)}", user));

        var echo = await GetAsync(config);

        Assert.Equal(client.Subject, (string?)echo["clientCertificate"]);
        Assert.Null((string?)echo["authorization"]);
    }

    [Fact]
    public async Task Without_a_client_certificate_a_server_that_requires_one_refuses_the_connection()
    {
        await using var server = await StartAsync(clientCertificates: true);
        var config = new KubernetesClientConfiguration { Host = server.BaseUri.ToString(), SslCaCerts = [authority.Certificate] };

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => GetAsync(config));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task TlsServerName_is_the_SNI_and_the_verified_name_while_the_Host_header_stays_the_server_address()
    {
        await using var server = await StartAsync(clientCertificates: false, addressInCertificate: false);
        var config = new KubernetesClientConfiguration { Host = server.BaseUri.ToString(), SslCaCerts = [authority.Certificate], TlsServerName = ServiceName };

        var echo = await GetAsync(config);

        Assert.Equal(ServiceName, (string?)echo["serverName"]);
        Assert.Equal(server.BaseUri.Authority, (string?)echo["host"]);
    }

    [Fact]
    public async Task Without_TlsServerName_a_certificate_that_does_not_name_the_address_is_rejected()
    {
        await using var server = await StartAsync(clientCertificates: false, addressInCertificate: false);
        var config = new KubernetesClientConfiguration { Host = server.BaseUri.ToString(), SslCaCerts = [authority.Certificate] };

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(config));

        Assert.IsType<AuthenticationException>(e.InnerException);
    }

    [Fact]
    public async Task SkipTlsVerify_accepts_a_certificate_nobody_trusts()
    {
        await using var server = await StartAsync(clientCertificates: false, addressInCertificate: false);
        var config = new KubernetesClientConfiguration { Host = server.BaseUri.ToString(), SkipTlsVerify = true, AccessToken = "t" };

        Assert.Equal("Bearer t", (string?)(await GetAsync(config))["authorization"]);
    }

    [Fact]
    public async Task HTTP2_is_negotiated_when_the_request_asks_for_it_and_HTTP11_otherwise()
    {
        await using var server = await StartAsync(clientCertificates: false);
        var config = new KubernetesClientConfiguration { Host = server.BaseUri.ToString(), SslCaCerts = [authority.Certificate] };

        Assert.Equal("HTTP/2", (string?)(await GetAsync(config, HttpVersion.Version20))["protocol"]);
        Assert.Equal("HTTP/1.1", (string?)(await GetAsync(config, HttpVersion.Version11))["protocol"]);
    }

    [Fact]
    public void SkipTlsVerify_with_a_CA_is_refused()
    {
        var config = new KubernetesClientConfiguration { Host = "https://127.0.0.1:1", SkipTlsVerify = true, SslCaCerts = [authority.Certificate] };

        Assert.Throws<KubeConfigException>(config.CreateHttpMessageHandler);
    }

    [Fact]
    public void A_relative_request_keeps_a_path_prefix_of_the_server_URL()
    {
        var config = new KubernetesClientConfiguration { Host = "https://proxy.example/k8s/clusters/c-1" };

        Assert.Equal("https://proxy.example/k8s/clusters/c-1/api/v1/pods", new Uri(config.BaseUri, "api/v1/pods").ToString());
    }

    private async Task<TestApiServer> StartAsync(bool clientCertificates, bool addressInCertificate = true)
    {
        var certificate = authority.IssueServer([ServiceName], addressInCertificate ? [IPAddress.Loopback] : []);
        return await TestApiServer.StartAsync(certificate, clientCertificates ? authority : null);
    }

    private string Kubeconfig(TestApiServer server, string clusterFields, string user) => temp.Write("config", $$$"""
        current-context: ctx
        clusters: [{name: c, cluster: {server: "{{{server.BaseUri}}}", {{{clusterFields}}}}}]
        users: [{name: u, user: {{{user}}}}]
        contexts: [{name: ctx, context: {cluster: c, user: u}}]
        """);

    internal static async Task<JsonObject> GetAsync(KubernetesClientConfiguration config, Version? version = null)
    {
        using var http = new HttpClient(config.CreateHttpMessageHandler()) { BaseAddress = config.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/namespaces") { Version = version ?? HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
