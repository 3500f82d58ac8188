using MeshBridge.Kubernetes.Client.Configuration;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>Cluster trust and user credentials read from kubeconfig files: data and files, key formats, refusals.</summary>
public sealed class KubeConfigCredentialTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly TestCertificateAuthority authority = new("cluster-ca");

    public void Dispose()
    {
        authority.Dispose();
        temp.Dispose();
    }

    [Fact]
    public void Certificate_authority_data_may_hold_several_certificates()
    {
        using var next = new TestCertificateAuthority("next-ca");
        var bundle = TestCertificateAuthority.Base64(authority.CertificatePem + next.CertificatePem);

        var config = Load(Cluster($"certificate-authority-data: {bundle}"), user: "{}");

        Assert.Equal([authority.Certificate.Thumbprint, next.Certificate.Thumbprint], config.SslCaCerts!.Select(c => c.Thumbprint));
    }

    [Fact]
    public void A_certificate_authority_file_is_read_relative_to_the_kubeconfig()
    {
        temp.Write("pki/ca.crt", authority.CertificatePem);

        var config = Load(Cluster("certificate-authority: pki/ca.crt"), user: "{}");

        Assert.Equal(authority.Certificate.Thumbprint, Assert.Single(config.SslCaCerts!).Thumbprint);
    }

    [Fact]
    public void Cluster_TLS_settings_are_read()
    {
        var config = Load(Cluster("insecure-skip-tls-verify: true", "tls-server-name: kubernetes.default.svc", "proxy-url: http://ignored:3128"), user: "{}");

        Assert.True(config.SkipTlsVerify);
        Assert.Equal("kubernetes.default.svc", config.TlsServerName);
        Assert.Null(config.SslCaCerts);
    }

    [Fact]
    public void Certificate_authority_file_and_data_together_are_refused_as_in_client_go()
    {
        var e = Load_fails(Cluster($"certificate-authority-data: {TestCertificateAuthority.Base64(authority.CertificatePem)}", "certificate-authority: ca.crt"), "{}");

        Assert.Equal("cluster \"c\": certificate-authority-data and certificate-authority are both specified; keep one", e);
    }

    [Fact]
    public void A_missing_certificate_authority_file_names_the_cluster_field_and_path()
    {
        var e = Load_fails(Cluster("certificate-authority: /no/such/ca.crt"), "{}");

        Assert.Equal("cluster \"c\": certificate-authority /no/such/ca.crt: file not found", e);
    }

    [Fact]
    public void Invalid_base64_names_the_field()
    {
        Assert.Equal("cluster \"c\": certificate-authority-data: not valid base64", Load_fails(Cluster("certificate-authority-data: '%%%'"), "{}"));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void A_client_certificate_loads_from_base64_data_with_RSA_or_EC_keys_in_PKCS1_SEC1_or_PKCS8(bool rsa, bool pkcs8)
    {
        using var client = authority.IssueClient("admin", rsa);
        var key = pkcs8 ? Pem.Pkcs8Key(client) : Pem.TraditionalKey(client);

        var config = Load(Cluster(), $"{{client-certificate-data: {TestCertificateAuthority.Base64(Pem.Certificate(client))}, client-key-data: {TestCertificateAuthority.Base64(key)}}}");

        Assert.Equal(client.Thumbprint, config.ClientCertificate!.Thumbprint);
        Assert.True(config.ClientCertificate.HasPrivateKey);
    }

    [Fact]
    public void A_client_certificate_loads_from_files_relative_to_the_kubeconfig()
    {
        using var client = authority.IssueClient("admin");
        temp.Write("pki/admin.crt", Pem.Certificate(client));
        temp.Write("pki/admin.key", Pem.TraditionalKey(client));

        var config = Load(Cluster(), "{client-certificate: pki/admin.crt, client-key: pki/admin.key}");

        Assert.Equal(client.Thumbprint, config.ClientCertificate!.Thumbprint);
    }

    [Fact]
    public void A_missing_client_certificate_file_names_the_kubeconfig_user_field_and_path()
    {
        var e = Assert.Throws<KubeConfigException>(() => Load(Cluster(), "{client-certificate: /x/y.crt, client-key: /x/y.key}"));

        Assert.Equal($"kubeconfig {temp.Combine("config")}: user \"dev\": client-certificate /x/y.crt: file not found", e.Message);
    }

    [Fact]
    public void A_key_that_does_not_match_the_certificate_is_refused_without_quoting_the_key()
    {
        using var client = authority.IssueClient("admin");
        using var other = authority.IssueClient("other");
        var otherKey = Pem.Pkcs8Key(other);

        var e = Load_fails(Cluster(), $"{{client-certificate-data: {TestCertificateAuthority.Base64(Pem.Certificate(client))}, client-key-data: {TestCertificateAuthority.Base64(otherKey)}}}");

        Assert.Equal("user \"dev\": client-key-data: the private key is malformed or does not match the client-certificate-data certificate", e);
        Assert.DoesNotContain(otherKey.Split('\n')[1], e, StringComparison.Ordinal);
    }

    [Fact]
    public void An_encrypted_key_is_refused_as_in_client_go()
    {
        using var client = authority.IssueClient("admin");
        temp.Write("admin.crt", Pem.Certificate(client));
        temp.Write("admin.key", Pem.EncryptedKey(client));

        var e = Load_fails(Cluster(), "{client-certificate: admin.crt, client-key: admin.key}");

        Assert.Equal($"user \"dev\": client-key {temp.Combine("admin.key")}: encrypted private keys are not supported (client-go refuses them too)", e);
    }

    [Fact]
    public void A_certificate_without_a_key_is_refused()
    {
        using var client = authority.IssueClient("admin");

        var e = Load_fails(Cluster(), $"{{client-certificate-data: {TestCertificateAuthority.Base64(Pem.Certificate(client))}}}");

        Assert.Equal("user \"dev\": client-key-data or client-key must be specified to use the client certificate", e);
    }

    [Fact]
    public void An_auth_provider_is_refused_with_a_pointer_to_exec_plugins()
    {
        var e = Load_fails(Cluster(), "{auth-provider: {name: oidc, config: {id-token: secret-id-token}}}");

        Assert.StartsWith("user \"dev\": auth-provider: auth-provider plugins are not supported; use an exec credential plugin (users[].user.exec) instead", e, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-id-token", e, StringComparison.Ordinal);
    }

    [Fact]
    public void Username_and_password_are_refused_and_the_password_never_appears()
    {
        var e = Load_fails(Cluster(), "{username: admin, password: hunter2}");

        Assert.Equal("user \"dev\": username: basic authentication (username/password) is not supported; use a token, a client certificate or an exec plugin", e);
        Assert.DoesNotContain("hunter2", e, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_and_a_token_file_are_both_kept_so_the_file_wins_once_read()
    {
        temp.Write("token", "from-file");

        var config = Load(Cluster(), "{token: inline, tokenFile: token}");

        Assert.Equal("inline", config.AccessToken);
        Assert.Equal(temp.Combine("token"), config.TokenFile);
    }

    [Fact]
    public void An_exec_section_is_read_with_arguments_environment_and_cluster_extension()
    {
        var config = Load(
            Cluster("extensions: [{name: client.authentication.k8s.io/exec, extension: {audience: meshbridge}}]"),
            """
            {exec: {apiVersion: client.authentication.k8s.io/v1, command: get-token, args: [--region, eu], env: [{name: A, value: "1"}, {name: B, value: two}], installHint: "apt install get-token", provideClusterInfo: true, interactiveMode: Never}}
            """);

        var exec = config.ExecCredential!;
        Assert.Equal(ExternalExecution.V1, exec.ApiVersion);
        Assert.Equal(["--region", "eu"], exec.Arguments);
        Assert.Equal([new("A", "1"), new("B", "two")], exec.EnvironmentVariables);
        Assert.Equal("apt install get-token", exec.InstallHint);
        Assert.True(exec.ProvideClusterInfo);
        Assert.Equal("Never", exec.InteractiveMode);
        Assert.Equal("""{"audience":"meshbridge"}""", exec.ClusterConfig!.ToJsonString());
    }

    [Theory]
    [InlineData("{apiVersion: client.authentication.k8s.io/v1, command: x}", "exec.interactiveMode: must be specified for client.authentication.k8s.io/v1 (Never or IfAvailable)")]
    [InlineData("{apiVersion: client.authentication.k8s.io/v1alpha1, command: x}", "exec.apiVersion: \"client.authentication.k8s.io/v1alpha1\" is not supported; use client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1")]
    [InlineData("{apiVersion: client.authentication.k8s.io/v1beta1}", "exec.command: not set")]
    [InlineData("{apiVersion: client.authentication.k8s.io/v1beta1, command: x, env: [{value: v}]}", "exec.env[0].name: not set")]
    public void An_unusable_exec_section_names_the_field(string exec, string expected)
    {
        Assert.Equal($"user \"dev\": {expected}", Load_fails(Cluster(), $"{{exec: {exec}}}"));
    }

    [Fact]
    public void An_exec_v1beta1_section_defaults_to_IfAvailable()
    {
        var config = Load(Cluster(), "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: x}}");

        Assert.Equal("IfAvailable", config.ExecCredential!.InteractiveMode);
    }

    private static string Cluster(params string[] fields) =>
        string.Join(", ", new[] { "server: \"https://api.example:6443\"" }.Concat(fields));

    private KubernetesClientConfiguration Load(string cluster, string user)
    {
        var file = temp.Write("config", $$$"""
            current-context: ctx
            clusters: [{name: c, cluster: {{{{cluster}}}}}]
            users: [{name: dev, user: {{{user}}}}]
            contexts: [{name: ctx, context: {cluster: c, user: dev}}]
            """);
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(file);
    }

    /// <summary>The message after the "kubeconfig FILE: " prefix.</summary>
    private string Load_fails(string cluster, string user)
    {
        var e = Assert.Throws<KubeConfigException>(() => Load(cluster, user));
        var prefix = $"kubeconfig {temp.Combine("config")}: ";
        Assert.StartsWith(prefix, e.Message, StringComparison.Ordinal);
        return e.Message[prefix.Length..];
    }
}
