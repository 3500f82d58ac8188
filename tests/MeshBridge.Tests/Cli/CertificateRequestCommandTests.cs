using System.Text;
using MeshBridge.Cli.Certificates;
using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Cli;

/// <summary>
/// <c>meshbridge certificate request</c> against a stand-in istiod (grpc-js + openssl, tests/Shared/IstiodStandIn.cs),
/// its output judged by the openssl CLI.
/// </summary>
public sealed class CertificateRequestCommandTests : IDisposable
{
    private const string Nginx = "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress";
    private const string Other = "spiffe://cluster.local/ns/default/sa/default";
    private const string NginxToken = "opaque-token-for-nginx";
    private const string DefaultToken = "opaque-token-for-default";

    private static readonly string ClaimsToken = Jwt("""{"aud":["istio-ca"],"sub":"system:serviceaccount:nginx-ingress:nginx-ingress","kubernetes.io":{"namespace":"nginx-ingress","serviceaccount":{"name":"nginx-ingress","uid":"1"}}}""");

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mb-cert-cli-");

    private string Out => Path.Combine(_dir.FullName, "out");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task A_granted_token_writes_three_files_that_openssl_verifies_and_a_key_only_the_owner_reads()
    {
        await using var istiod = await StartAsync();

        var run = Request(istiod, "--token-file", TokenFile(NginxToken), "--service-account", "nginx-ingress/nginx-ingress", "--validity", "12h");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"identity:   {Nginx}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("issuer:     O=cluster.local", run.Stdout, StringComparison.Ordinal);
        Assert.Matches("serial: +[0-9A-F]+\n", run.Stdout);
        Assert.Matches("not after: +20", run.Stdout);
        Assert.Contains($"issued {Nginx} validity=43200 clusterid=", istiod.Lines);
        Assert.Contains("tls.crt: OK", await IstiodStandIn.OpensslAsync(Out, "verify", "-CAfile", "ca.crt", "tls.crt"), StringComparison.Ordinal);
        Assert.Equal(
            await IstiodStandIn.OpensslAsync(Out, "x509", "-in", "tls.crt", "-noout", "-pubkey"),
            await IstiodStandIn.OpensslAsync(Out, "pkey", "-in", "tls.key", "-pubout"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Out, "tls.key")));
        }

        Assert.DoesNotContain(NginxToken, run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_service_account_the_identity_comes_from_the_token_claims()
    {
        await using var istiod = await StartAsync();

        var run = Request(istiod, "--token-file", TokenFile(ClaimsToken));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"identity:   {Nginx}", run.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Out, "tls.key")));
    }

    [Fact]
    public async Task With_a_kubeconfig_the_token_comes_from_a_token_request_for_the_service_account()
    {
        await using var server = await MeshBridge.Lab.ApiServer.LabApiServer.StartAsync();
        var kubeconfig = server.WriteKubeconfig(Path.Combine(_dir.FullName, "kubeconfig"));
        using (var client = new MeshBridge.Kubernetes.Client.Kubernetes(MeshBridge.Kubernetes.Client.Configuration.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)))
        {
            await client.CreateAsync(MeshBridge.Kubernetes.Client.ResourceTypes.Namespaces, null, System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"nginx-ingress"}}""")!.AsObject());
            await client.CreateAsync(MeshBridge.Kubernetes.Client.ResourceTypes.ServiceAccounts, "nginx-ingress", System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"nginx-ingress"}}""")!.AsObject());
        }

        // No grants: the stand-in accepts only a JWT signed by this API server's key with audience istio-ca.
        await using var istiod = await IstiodStandIn.StartAsync(new Dictionary<string, string>(), server.Tokens.ExportPublicKeyPem());

        var run = await Task.Run(() => Request(istiod, "--kubeconfig", kubeconfig, "--service-account", "nginx-ingress/nginx-ingress"));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"issued {Nginx} validity=86400 clusterid=", istiod.Lines);
        Assert.Contains("tls.crt: OK", await IstiodStandIn.OpensslAsync(Out, "verify", "-CAfile", "ca.crt", "tls.crt"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_name_the_ca_certificate_does_not_carry_is_a_clear_tls_error()
    {
        await using var istiod = await StartAsync();

        var run = Request(istiod, ["--token-file", TokenFile(NginxToken), "--service-account", "nginx-ingress/nginx-ingress"], serverName: "istiod-canary.istio-system.svc");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("TLS with the Istio CA at", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not name 'istiod-canary.istio-system.svc'", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task A_token_the_ca_rejects_is_unauthenticated_with_the_audience_hint_and_is_never_printed()
    {
        await using var istiod = await StartAsync();
        const string Wrong = "token-with-the-wrong-audience";

        var run = Request(istiod, "--token-file", TokenFile(Wrong), "--service-account", "nginx-ingress/nginx-ingress");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Unauthenticated", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("audience istio-ca", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task A_certificate_for_another_identity_fails_verification_and_writes_nothing()
    {
        await using var istiod = await StartAsync();

        var run = Request(istiod, "--token-file", TokenFile(DefaultToken), "--service-account", "nginx-ingress/nginx-ingress");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"URI SAN {Other} is not the identity asked for {Nginx}", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was written.", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void An_address_nothing_listens_on_is_unreachable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var root = Path.Combine(_dir.FullName, "root.pem");
        File.WriteAllText(root, SelfSignedPem());

        var run = CliRun.Invoke(
            "certificate", "request", "--ca-address", $"127.0.0.1:{port}", "--root-cert", root,
            "--token-file", TokenFile(NginxToken), "--service-account", "a/b", "--out-dir", Out);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains($"the Istio CA at 127.0.0.1:{port} is unreachable", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_root_file_is_an_input_error_naming_it()
    {
        var run = CliRun.Invoke(
            "certificate", "request", "--ca-address", "127.0.0.1:15012", "--root-cert", "/nonexistent/root.pem",
            "--token-file", TokenFile(NginxToken), "--service-account", "a/b");

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("error: --root-cert /nonexistent/root.pem:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_that_names_no_service_account_is_an_input_error_without_the_token()
    {
        var root = Path.Combine(_dir.FullName, "root.pem");
        File.WriteAllText(root, SelfSignedPem());

        var run = CliRun.Invoke("certificate", "request", "--ca-address", "127.0.0.1:15012", "--root-cert", root, "--token-file", TokenFile(NginxToken));

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("it is not a JWT", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--service-account", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(NginxToken, run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--validity", "soon", "--validity \"soon\"")]
    [InlineData("--ca-address", "istiod.istio-system.svc", "--ca-address:")]
    [InlineData("--service-account", "nginx", "--service-account \"nginx\"")]
    public void Bad_flags_are_usage_errors(string flag, string value, string message)
    {
        var options = new Dictionary<string, string> { ["--ca-address"] = "127.0.0.1:15012", ["--root-cert"] = "r.pem", ["--token-file"] = "t", [flag] = value };
        var run = CliRun.Invoke(["certificate", "request", .. options.SelectMany(o => new[] { o.Key, o.Value })]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Neither_a_token_file_nor_a_kubeconfig_is_a_usage_error()
    {
        var run = CliRun.Invoke("certificate", "request", "--ca-address", "127.0.0.1:15012", "--root-cert", "r.pem");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("give exactly one of --token-file FILE and --kubeconfig PATH", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"kubernetes.io":{"namespace":"ns1","serviceaccount":{"name":"sa1"}},"sub":"system:serviceaccount:x:y"}""", "ns1", "sa1")]
    [InlineData("""{"sub":"system:serviceaccount:ns2:sa2"}""", "ns2", "sa2")]
    public void Token_claims_name_the_service_account(string claims, string ns, string name)
    {
        Assert.True(ServiceAccountTokenIdentity.TryRead(Jwt(claims), out var account, out var problem), problem);
        Assert.Equal((ns, name), account);
    }

    [Theory]
    [InlineData("""{"sub":"system:node:worker-1"}""")]
    [InlineData("""{"kubernetes.io":{"namespace":"ns1"}}""")]
    [InlineData("""[1]""")]
    public void Claims_without_a_service_account_are_refused(string claims) =>
        Assert.False(ServiceAccountTokenIdentity.TryRead(Jwt(claims), out _, out _));

    private static Task<IstiodStandIn> StartAsync() =>
        IstiodStandIn.StartAsync(new Dictionary<string, string> { [NginxToken] = Nginx, [DefaultToken] = Other, [ClaimsToken] = Nginx });

    private CliRun Request(IstiodStandIn istiod, params string[] args) => Request(istiod, args, IstiodStandIn.ServerName);

    private CliRun Request(IstiodStandIn istiod, string[] args, string serverName) => CliRun.Invoke([
        "certificate", "request", "--ca-address", istiod.Address, "--root-cert", istiod.RootPath,
        "--tls-server-name", serverName, "--out-dir", Out, .. args]);

    private string TokenFile(string token)
    {
        var path = Path.Combine(_dir.FullName, $"token-{Guid.NewGuid():N}");
        File.WriteAllText(path, token + "\n");
        return path;
    }

    private static string Jwt(string claims) =>
        $"{Base64Url("""{"alg":"RS256","kid":"k"}""")}.{Base64Url(claims)}.c2lnbmF0dXJl";

    private static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    private static string SelfSignedPem()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("O=unused", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        return root.ExportCertificatePem();
    }
}
