using System.Net;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client.Configuration;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>An exec plugin that returns client certificates, used for mutual TLS against a real Kestrel server.</summary>
public sealed class ExecClientCertificateTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TestCertificateAuthority authority = new("cluster-ca");
    private readonly ExecPlugin plugin = new();
    private readonly ManualTimeProvider clock = new(Start);

    public void Dispose()
    {
        plugin.Dispose();
        authority.Dispose();
    }

    [Fact]
    public async Task The_exec_certificate_from_a_kubeconfig_is_presented_and_a_rotated_one_is_used_on_a_new_connection()
    {
        using var first = authority.IssueClient("exec-user-1");
        using var second = authority.IssueClient("exec-user-2", rsa: true);
        plugin.Answer(ExecPlugin.Credential(certificatePem: Pem.Certificate(first), keyPem: Pem.Pkcs8Key(first), expiry: Start.AddMinutes(10)), run: 1);
        plugin.Answer(ExecPlugin.Credential(certificatePem: Pem.Certificate(second), keyPem: Pem.TraditionalKey(second)), run: 2);
        await using var server = await TestApiServer.StartAsync(authority.IssueServer([], [IPAddress.Loopback]), authority);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(WriteKubeconfig(server), time: clock);
        using var http = new HttpClient(config.CreateHttpMessageHandler()) { BaseAddress = config.BaseUri, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(first.Subject, await GetClientCertificateAsync(http));
        Assert.Equal(first.Subject, await GetClientCertificateAsync(http));
        clock.Advance(TimeSpan.FromMinutes(11));

        // The first connection is still pooled; only a new one can carry the new certificate.
        Assert.Equal(second.Subject, await GetClientCertificateAsync(http));
        Assert.Equal(2, plugin.Runs);
        Assert.All(server.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task The_same_certificate_again_keeps_the_connection_pool()
    {
        using var client = authority.IssueClient("exec-user");
        plugin.Answer(ExecPlugin.Credential(certificatePem: Pem.Certificate(client), keyPem: Pem.Pkcs8Key(client), expiry: Start.AddMinutes(10)));
        await using var server = await TestApiServer.StartAsync(authority.IssueServer([], [IPAddress.Loopback]), authority);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(WriteKubeconfig(server), time: clock);
        using var handler = config.CreateHttpMessageHandler();
        using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = config.BaseUri, Timeout = TimeSpan.FromSeconds(30) };

        await GetClientCertificateAsync(http);
        clock.Advance(TimeSpan.FromMinutes(11));
        await GetClientCertificateAsync(http);

        Assert.Equal(2, plugin.Runs);
        Assert.Equal(1, Transport(handler).PoolGeneration);
    }

    private static KubernetesTransportHandler Transport(HttpMessageHandler handler) =>
        (KubernetesTransportHandler)((DelegatingHandler)handler).InnerHandler!;

    /// <summary>A kubeconfig beside a copy of the plugin, naming it by a relative path.</summary>
    private string WriteKubeconfig(TestApiServer server)
    {
        File.Copy(plugin.Command, Path.Combine(plugin.Directory, "plugin.sh"));
        var user = new JsonObject
        {
            ["exec"] = new JsonObject
            {
                ["apiVersion"] = ExternalExecution.V1,
                ["command"] = "./plugin.sh",
                ["env"] = new JsonArray(new JsonObject { ["name"] = "PLUGIN_DIR", ["value"] = plugin.Directory }),
                ["interactiveMode"] = "IfAvailable",
            },
        };
        var path = Path.Combine(plugin.Directory, "kubeconfig");

        // JSON is YAML, and ManifestReader reads it like kubectl does.
        File.WriteAllText(path, new JsonObject
        {
            ["current-context"] = "ctx",
            ["clusters"] = new JsonArray(new JsonObject
            {
                ["name"] = "c",
                ["cluster"] = new JsonObject { ["server"] = server.BaseUri.ToString(), ["certificate-authority-data"] = TestCertificateAuthority.Base64(authority.CertificatePem) },
            }),
            ["users"] = new JsonArray(new JsonObject { ["name"] = "u", ["user"] = user }),
            ["contexts"] = new JsonArray(new JsonObject { ["name"] = "ctx", ["context"] = new JsonObject { ["cluster"] = "c", ["user"] = "u" } }),
        }.ToJsonString());
        return path;
    }

    private static async Task<string?> GetClientCertificateAsync(HttpClient http)
    {
        using var response = await http.GetAsync("api/v1/namespaces");
        response.EnsureSuccessStatusCode();
        return (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["clientCertificate"];
    }
}
