using System.Net;
using MeshBridge.Kubernetes.Client.Configuration;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>The pod's service account directory and service environment, as client-go's InClusterConfig reads them.</summary>
public sealed class InClusterConfigTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly TestCertificateAuthority authority = new("cluster-ca");

    public void Dispose()
    {
        authority.Dispose();
        temp.Dispose();
    }

    [Fact]
    public void The_token_CA_and_namespace_come_from_the_service_account_directory()
    {
        var directory = ServiceAccount(namespaceFile: "mesh-system\n");

        var config = InCluster(directory, ("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443"));

        Assert.Equal("https://10.96.0.1:443", config.Host);
        Assert.Equal("mesh-system", config.Namespace);
        Assert.Equal("token-a", config.AccessToken);
        Assert.Equal(Path.Combine(directory, "token"), config.TokenFile);
        Assert.Equal(authority.Certificate.Thumbprint, Assert.Single(config.SslCaCerts!).Thumbprint);
        Assert.Null(config.CurrentContext);
    }

    [Fact]
    public void An_IPv6_service_host_is_bracketed()
    {
        var config = InCluster(ServiceAccount(), ("KUBERNETES_SERVICE_HOST", "fd00:10:96::1"), ("KUBERNETES_SERVICE_PORT", "443"));

        Assert.Equal("https://[fd00:10:96::1]:443", config.Host);
        Assert.Equal("https://[fd00:10:96::1]/", config.BaseUri.ToString());
    }

    [Fact]
    public void POD_NAMESPACE_wins_over_the_namespace_file_and_default_is_the_last_resort()
    {
        var withFile = ServiceAccount(namespaceFile: "from-file");
        var withoutFile = ServiceAccount("other");
        (string, string)[] service = [("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443")];

        Assert.Equal("from-env", InCluster(withFile, [.. service, ("POD_NAMESPACE", "from-env")]).Namespace);
        Assert.Equal("default", InCluster(withoutFile, service).Namespace);
    }

    [Fact]
    public void Without_ca_crt_the_system_roots_are_used_as_in_client_go()
    {
        var directory = ServiceAccount();
        File.Delete(Path.Combine(directory, "ca.crt"));

        Assert.Null(InCluster(directory, ("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443")).SslCaCerts);
    }

    [Fact]
    public void IsInCluster_needs_the_service_variables_and_the_token_file()
    {
        var directory = ServiceAccount();
        var service = FakeEnvironment.With(("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443"));

        Assert.True(InClusterConfigLoader.IsInCluster(directory, service));
        Assert.False(InClusterConfigLoader.IsInCluster(directory, FakeEnvironment.With(("KUBERNETES_SERVICE_HOST", "10.96.0.1"))));
        Assert.False(InClusterConfigLoader.IsInCluster(temp.Combine("no-such-directory"), service));
    }

    [Fact]
    public void Outside_a_pod_InClusterConfig_says_what_is_missing()
    {
        var e = Assert.Throws<KubeConfigException>(() => InCluster(ServiceAccount()));

        Assert.Equal("in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (is this running in a pod?)", e.Message);
    }

    [Fact]
    public void A_missing_token_names_the_file()
    {
        var directory = ServiceAccount();
        File.Delete(Path.Combine(directory, "token"));

        var e = Assert.Throws<KubeConfigException>(() => InCluster(directory, ("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443")));

        Assert.Equal($"in-cluster config: token {Path.Combine(directory, "token")}: file not found", e.Message);
    }

    [Fact]
    public void BuildDefaultConfig_prefers_KUBECONFIG_then_the_pod_then_the_home_kubeconfig()
    {
        var directory = ServiceAccount();
        var explicitConfig = temp.Write("explicit", KubeConfigLoadingTests.Minimal("http://from-kubeconfig.example"));
        temp.Write("home/.kube/config", KubeConfigLoadingTests.Minimal("http://from-home.example"));
        (string, string)[] pod = [("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443"), ("HOME", temp.Combine("home"))];

        Assert.Equal("http://from-kubeconfig.example", Default(directory, [.. pod, ("KUBECONFIG", explicitConfig)]).Host);
        Assert.Equal("https://10.96.0.1:443", Default(directory, pod).Host);
        Assert.Equal("http://from-home.example", Default(temp.Combine("not-a-pod"), pod).Host);
    }

    [Fact]
    public async Task A_rotated_service_account_token_reaches_the_API_server_over_TLS_with_ca_crt()
    {
        await using var server = await TestApiServer.StartAsync(authority.IssueServer([], [IPAddress.Loopback]), null);
        var directory = ServiceAccount();
        var clock = new ManualTimeProvider();
        var config = InClusterConfigLoader.Load(directory, clock, FakeEnvironment.With(
            ("KUBERNETES_SERVICE_HOST", "127.0.0.1"), ("KUBERNETES_SERVICE_PORT", server.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        using var http = new HttpClient(config.CreateHttpMessageHandler()) { BaseAddress = config.BaseUri, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal("Bearer token-a", await TokenFileTests.GetAuthorizationAsync(http));

        // The kubelet swaps the projected volume's files; a plain rewrite is enough here.
        File.WriteAllText(Path.Combine(directory, "token"), "token-b");
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("Bearer token-b", await TokenFileTests.GetAuthorizationAsync(http));
    }

    private string ServiceAccount(string name = "serviceaccount", string? namespaceFile = null)
    {
        temp.Write($"{name}/token", "token-a");
        temp.Write($"{name}/ca.crt", authority.CertificatePem);
        if (namespaceFile is not null)
        {
            temp.Write($"{name}/namespace", namespaceFile);
        }

        return temp.Combine(name);
    }

    private static KubernetesClientConfiguration InCluster(string directory, params (string, string)[] environment) =>
        InClusterConfigLoader.Load(directory, null, FakeEnvironment.With(environment));

    private static KubernetesClientConfiguration Default(string directory, params (string, string)[] environment) =>
        KubernetesClientConfiguration.BuildDefaultConfig(null, directory, FakeEnvironment.With(environment));
}
