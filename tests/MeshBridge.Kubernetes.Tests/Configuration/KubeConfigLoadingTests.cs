using MeshBridge.Kubernetes.Client.Configuration;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>Which files are read, how they merge and which context is used: clientcmd's loading rules, on real files.</summary>
public sealed class KubeConfigLoadingTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_first_KUBECONFIG_file_that_defines_a_name_wins_and_current_context_is_the_first_non_empty_one()
    {
        var first = temp.Write("a/config", """
            clusters:
            - name: shared
              cluster: {server: "http://first.example:8080"}
            contexts:
            - name: only-in-second-file-is-current
              context: {cluster: shared, namespace: from-first}
            """);
        var second = temp.Write("b/config", """
            current-context: only-in-second-file-is-current
            clusters:
            - name: shared
              cluster: {server: "http://second.example:8080"}
            contexts:
            - name: only-in-second-file-is-current
              context: {cluster: shared, namespace: from-second}
            """);
        var third = temp.Write("c/config", "current-context: ignored-because-second-set-it\n");

        var config = Load(null, null, ("KUBECONFIG", $"{first}:{second}:{third}"));

        Assert.Equal("only-in-second-file-is-current", config.CurrentContext);
        Assert.Equal("http://first.example:8080", config.Host);
        Assert.Equal("from-first", config.Namespace);
    }

    [Fact]
    public void Files_missing_from_the_KUBECONFIG_list_are_skipped()
    {
        var present = temp.Write("config", Minimal("http://present.example"));

        var config = Load(null, null, ("KUBECONFIG", $"{temp.Combine("missing-1")}::{present}:{temp.Combine("missing-2")}"));

        Assert.Equal("http://present.example", config.Host);
    }

    [Fact]
    public void A_KUBECONFIG_list_where_no_file_exists_is_an_error_listing_them()
    {
        var e = Assert.Throws<KubeConfigException>(() => Load(null, null, ("KUBECONFIG", temp.Combine("nope"))));

        Assert.Equal($"no kubeconfig found: none of {temp.Combine("nope")} exists", e.Message);
    }

    [Fact]
    public void An_explicit_kubeconfig_path_wins_over_KUBECONFIG_and_must_exist()
    {
        var explicitFile = temp.Write("explicit", Minimal("http://explicit.example"));
        var listed = temp.Write("listed", Minimal("http://listed.example"));

        Assert.Equal("http://explicit.example", Load(explicitFile, null, ("KUBECONFIG", listed)).Host);
        var e = Assert.Throws<KubeConfigException>(() => Load(temp.Combine("absent"), null, ("KUBECONFIG", listed)));
        Assert.Equal($"kubeconfig {temp.Combine("absent")}: file not found", e.Message);
    }

    [Fact]
    public void Without_KUBECONFIG_the_file_is_kube_config_under_HOME()
    {
        temp.Write("home/.kube/config", Minimal("http://home.example"));

        Assert.Equal("http://home.example", Load(null, null, ("HOME", temp.Combine("home"))).Host);
    }

    [Fact]
    public void Relative_paths_resolve_against_the_directory_of_the_file_that_defines_them()
    {
        temp.Write("users/token.txt", "token-from-file\n");
        var users = temp.Write("users/config", """
            users:
            - name: dev
              user:
                tokenFile: token.txt
                exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./bin/get-token}
            - name: on-path
              user:
                exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws}
            """);
        var main = temp.Write("main/config", """
            current-context: dev
            clusters:
            - name: c
              cluster: {server: "https://main.example", insecure-skip-tls-verify: true}
            contexts:
            - {name: dev, context: {cluster: c, user: dev}}
            - {name: path, context: {cluster: c, user: on-path}}
            """);
        var kubeconfig = ("KUBECONFIG", $"{main}:{users}");

        var dev = Load(null, null, kubeconfig);
        var onPath = Load(null, "path", kubeconfig);

        Assert.Equal(temp.Combine("users/token.txt"), dev.TokenFile);
        Assert.Equal("token-from-file", dev.AccessToken);
        Assert.Equal(temp.Combine("users/bin/get-token"), dev.ExecCredential!.Command);
        Assert.Equal("aws", onPath.ExecCredential!.Command);
    }

    [Fact]
    public void The_context_argument_overrides_current_context()
    {
        var file = temp.Write("config", """
            current-context: a
            clusters:
            - {name: a, cluster: {server: "http://a.example"}}
            - {name: b, cluster: {server: "http://b.example"}}
            contexts:
            - {name: a, context: {cluster: a}}
            - {name: b, context: {cluster: b, namespace: team-b}}
            """);

        var config = Load(file, "b");

        Assert.Equal("b", config.CurrentContext);
        Assert.Equal("http://b.example", config.Host);
        Assert.Equal("team-b", config.Namespace);
    }

    [Fact]
    public void A_context_without_a_namespace_uses_default()
    {
        Assert.Equal("default", Load(temp.Write("config", Minimal("http://x.example")), null).Namespace);
    }

    [Fact]
    public void A_missing_context_is_an_error_naming_it_and_the_files()
    {
        var file = temp.Write("config", Minimal("http://x.example"));

        var e = Assert.Throws<KubeConfigException>(() => Load(file, "prod"));

        Assert.Equal($"kubeconfig {file}: context \"prod\" not found", e.Message);
    }

    [Fact]
    public void No_current_context_and_no_context_argument_is_an_error()
    {
        var file = temp.Write("config", "clusters: []\n");

        var e = Assert.Throws<KubeConfigException>(() => Load(file, null));

        Assert.Equal($"kubeconfig {file}: no context selected: current-context is not set and no context was given", e.Message);
    }

    [Theory]
    [InlineData("{cluster: nowhere, user: dev}", "context \"ctx\": cluster \"nowhere\" not found")]
    [InlineData("{cluster: c, user: nobody}", "context \"ctx\": user \"nobody\" not found")]
    [InlineData("{user: dev}", "context \"ctx\": cluster: not set")]
    [InlineData("{cluster: no-server}", "cluster \"no-server\": server: not set (client-go: cluster has no server defined)")]
    [InlineData("{cluster: bad-server}", "cluster \"bad-server\": server: \"10.0.0.1:6443\" is not an https:// or http:// URL")]
    public void A_context_that_cannot_be_used_is_an_error_naming_the_entry_and_field(string context, string expected)
    {
        var file = temp.Write("config", $$$"""
            current-context: ctx
            clusters:
            - {name: c, cluster: {server: "https://c.example"}}
            - {name: no-server, cluster: {}}
            - {name: bad-server, cluster: {server: "10.0.0.1:6443"}}
            users:
            - {name: dev, user: {token: abc}}
            contexts:
            - {name: ctx, context: {{{context}}}}
            """);

        var e = Assert.Throws<KubeConfigException>(() => Load(file, null));

        Assert.Equal($"kubeconfig {file}: {expected}", e.Message);
    }

    [Fact]
    public void A_context_without_a_user_is_anonymous()
    {
        var config = Load(temp.Write("config", Minimal("https://x.example")), null);

        Assert.Null(config.AccessToken);
        Assert.Null(config.ClientCertificate);
        Assert.Null(config.ExecCredential);
    }

    [Fact]
    public void A_plain_http_server_gets_no_credentials_as_in_kubectl()
    {
        var file = temp.Write("config", """
            current-context: ctx
            clusters: [{name: c, cluster: {server: "http://insecure.example:8080"}}]
            users: [{name: u, user: {token: must-not-travel-in-clear, tokenFile: /does/not/matter}}]
            contexts: [{name: ctx, context: {cluster: c, user: u}}]
            """);

        var config = Load(file, null);

        Assert.Null(config.AccessToken);
        Assert.Null(config.TokenFile);
    }

    [Fact]
    public void Malformed_YAML_names_the_file_and_line()
    {
        var file = temp.Write("config", "clusters:\n- name: a\n  cluster: {server: [\n");

        var e = Assert.Throws<KubeConfigException>(() => Load(file, null));

        Assert.StartsWith($"kubeconfig {file}: line", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_field_holding_a_number_is_an_error_as_in_kubectl()
    {
        var file = temp.Write("config", """
            current-context: ctx
            clusters: [{name: c, cluster: {server: "http://x.example"}}]
            contexts: [{name: ctx, context: {cluster: c, namespace: 42}}]
            """);

        var e = Assert.Throws<KubeConfigException>(() => Load(file, null));

        Assert.Equal($"kubeconfig {file}: context \"ctx\": namespace: must be a string", e.Message);
    }

    internal static string Minimal(string server) => $$$"""
        current-context: ctx
        clusters: [{name: c, cluster: {server: "{{{server}}}"}}]
        contexts: [{name: ctx, context: {cluster: c}}]
        """;

    private static KubernetesClientConfiguration Load(string? path, string? context, params (string, string)[] environment) =>
        KubeConfigLoader.Load(path, context, time: null, FakeEnvironment.With(environment));
}
