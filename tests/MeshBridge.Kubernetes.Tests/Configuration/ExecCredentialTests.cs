using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client.Configuration;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>A real exec plugin (a shell script) behind the configuration's handler, on a manual clock.</summary>
public sealed class ExecCredentialTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ExecPlugin plugin = new();
    private readonly ManualTimeProvider clock = new(Start);

    public void Dispose() => plugin.Dispose();

    [Fact]
    public async Task The_plugin_runs_once_and_its_token_is_reused_until_expirationTimestamp_has_passed()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        plugin.Answer(ExecPlugin.Credential("token-1", Start.AddMinutes(10)), run: 1);
        plugin.Answer(ExecPlugin.Credential("token-2", Start.AddHours(1)), run: 2);
        using var http = Client(server);

        Assert.Equal("Bearer token-1", await GetAuthorizationAsync(http));
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("Bearer token-1", await GetAuthorizationAsync(http));
        Assert.Equal(1, plugin.Runs);

        // client-go: expired once now is after the expiry.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("Bearer token-2", await GetAuthorizationAsync(http));
        Assert.Equal(2, plugin.Runs);
    }

    [Fact]
    public async Task A_credential_without_expirationTimestamp_is_reused_for_the_life_of_the_handler()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        plugin.Answer(ExecPlugin.Credential("forever"));
        using var http = Client(server);

        await GetAuthorizationAsync(http);
        clock.Advance(TimeSpan.FromDays(400));

        Assert.Equal("Bearer forever", await GetAuthorizationAsync(http));
        Assert.Equal(1, plugin.Runs);
    }

    [Fact]
    public async Task A_401_runs_the_plugin_again_and_the_request_is_retried_once_with_the_new_token()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        server.StatusFor = seen => seen.Authorization == "Bearer revoked" ? 401 : 200;
        plugin.Answer(ExecPlugin.Credential("revoked"), run: 1);
        plugin.Answer(ExecPlugin.Credential("fresh"), run: 2);
        using var http = Client(server);

        using var response = await http.GetAsync("api/v1/namespaces");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer revoked", "Bearer fresh"], server.Requests.Select(r => r.Authorization));
        Assert.Equal(2, plugin.Runs);
        Assert.Equal("Bearer fresh", await GetAuthorizationAsync(http));
        Assert.Equal(2, plugin.Runs);
    }

    [Fact]
    public async Task A_401_the_plugin_cannot_fix_is_returned_without_resending()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        server.StatusFor = _ => 401;
        plugin.Answer(ExecPlugin.Credential("same-every-time"));
        using var http = Client(server);

        using var response = await http.GetAsync("api/v1/namespaces");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(server.Requests);
        Assert.Equal(2, plugin.Runs);
    }

    [Fact]
    public async Task When_the_plugin_fails_after_a_401_the_caller_gets_the_plugin_error()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        server.StatusFor = _ => 401;
        plugin.Answer(ExecPlugin.Credential("revoked"), run: 1);
        using var http = Client(server);

        var e = await Assert.ThrowsAsync<KubeConfigException>(() => http.GetAsync("api/v1/namespaces"));

        Assert.StartsWith($"exec: executable {plugin.Command} failed with exit code 1: cat: ", e.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task The_plugin_gets_its_arguments_environment_and_KUBERNETES_EXEC_INFO_with_the_cluster_when_asked()
    {
        using var authority = new TestCertificateAuthority("cluster-ca");
        plugin.Answer(ExecPlugin.Credential("t"));
        var config = new KubernetesClientConfiguration
        {
            Host = "https://10.0.0.1:6443",
            SslCaCerts = [authority.Certificate],
            TlsServerName = "kubernetes.default.svc",
            ExecCredential = plugin.Execution with { ProvideClusterInfo = true, ClusterConfig = new JsonObject { ["audience"] = "mesh" } },
        };

        await new ExecCredentialProvider(config.ExecCredential, config.ExecClusterInfo(), clock).GetTokenAsync(CancellationToken.None);

        Assert.Equal(["--cluster", "lab"], plugin.Arguments(1));
        var info = plugin.ExecInfo(1);
        Assert.Equal(ExternalExecution.V1, (string?)info["apiVersion"]);
        Assert.Equal("ExecCredential", (string?)info["kind"]);
        Assert.False((bool)info["spec"]!["interactive"]!);
        var cluster = info["spec"]!["cluster"]!;
        Assert.Equal("https://10.0.0.1:6443", (string?)cluster["server"]);
        Assert.Equal("kubernetes.default.svc", (string?)cluster["tls-server-name"]);
        Assert.Equal(authority.CertificatePem, Encoding.ASCII.GetString(Convert.FromBase64String((string)cluster["certificate-authority-data"]!)));
        Assert.Equal("mesh", (string?)cluster["config"]!["audience"]);
    }

    [Fact]
    public async Task Without_provideClusterInfo_the_plugin_is_not_told_about_the_cluster()
    {
        plugin.Answer(ExecPlugin.Credential("t"));

        await new ExecCredentialProvider(plugin.Execution, new JsonObject { ["server"] = "https://x" }, clock).GetTokenAsync(CancellationToken.None);

        Assert.Equal("""{"interactive":false}""", plugin.ExecInfo(1)["spec"]!.ToJsonString());
    }

    [Fact]
    public async Task A_failing_plugin_reports_its_command_exit_code_and_trimmed_standard_error()
    {
        using var temp = new TempDirectory();
        var failing = temp.WriteScript("fail", "#!/bin/sh\necho 'ignored output'\necho '  credentials expired: run sso login  ' >&2\nexit 3\n");
        var exec = plugin.Execution with { Command = failing, Origin = "kubeconfig /home/u/.kube/config: user \"dev\"" };

        var e = await Assert.ThrowsAsync<KubeConfigException>(() => new ExecCredentialProvider(exec, clock).GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Equal($"kubeconfig /home/u/.kube/config: user \"dev\": exec: executable {failing} failed with exit code 3: credentials expired: run sso login", e.Message);
    }

    [Fact]
    public async Task A_plugin_that_is_not_installed_shows_the_install_hint()
    {
        var exec = plugin.Execution with { Command = "meshbridge-no-such-credential-plugin", InstallHint = "Install it with: apt install no-such-plugin" };

        var e = await Assert.ThrowsAsync<KubeConfigException>(() => new ExecCredentialProvider(exec, clock).GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Equal("exec: executable meshbridge-no-such-credential-plugin not found\n\nInstall it with: apt install no-such-plugin", e.Message);
    }

    [Fact]
    public async Task InteractiveMode_Always_fails_because_there_is_never_a_terminal()
    {
        var exec = plugin.Execution with { InteractiveMode = "Always" };

        var e = await Assert.ThrowsAsync<KubeConfigException>(() => new ExecCredentialProvider(exec, clock).GetTokenAsync(CancellationToken.None).AsTask());

        Assert.StartsWith("exec plugin cannot support interactive mode: standard input is not a terminal", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, plugin.Runs);
    }

    [Fact]
    public async Task A_plugin_answering_in_another_API_version_is_refused()
    {
        plugin.Answer(ExecPlugin.Credential("t", apiVersion: ExternalExecution.V1Beta1));

        var e = await Assert.ThrowsAsync<KubeConfigException>(() => new ExecCredentialProvider(plugin.Execution, clock).GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Equal($"exec: {plugin.Command}: exec plugin is configured to use API version {ExternalExecution.V1}, plugin returned version {ExternalExecution.V1Beta1}", e.Message);
    }

    [Theory]
    [InlineData("""{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientKeyData":"SECRET-KEY"}}""", "exec plugin returned only certificate or key, not both")]
    [InlineData("""token=SECRET-TOKEN""", "decoding stdout: not a JSON ExecCredential")]
    [InlineData("""{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}""", "exec plugin didn't return a status field")]
    [InlineData("""{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"SECRET-TOKEN","expirationTimestamp":"soon"}}""", "exec plugin status.expirationTimestamp \"soon\" is not an RFC 3339 time")]
    public async Task Unusable_plugin_output_is_explained_without_quoting_its_secrets(string output, string expected)
    {
        File.WriteAllText(Path.Combine(plugin.Directory, "credential.json"), output);

        var e = await Assert.ThrowsAsync<KubeConfigException>(() => new ExecCredentialProvider(plugin.Execution, clock).GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Equal($"exec: {plugin.Command}: {expected}", e.Message);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
    }

    private HttpClient Client(TestApiServer server)
    {
        var config = new KubernetesClientConfiguration { Host = server.BaseUri.ToString(), ExecCredential = plugin.Execution, TimeProvider = clock };
        return new HttpClient(config.CreateHttpMessageHandler()) { BaseAddress = config.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static async Task<string?> GetAuthorizationAsync(HttpClient http)
    {
        using var response = await http.GetAsync("api/v1/namespaces");
        response.EnsureSuccessStatusCode();
        return (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["authorization"];
    }
}
