using MeshBridge.Lab.ApiServer.Auth;

namespace MeshBridge.Lab.Tests.Auth;

/// <summary>
/// The real kubectl 1.33 against the lab's TokenRequest endpoint: what it puts on the wire is what
/// <see cref="TokenRequestProtobuf"/> must read, and what we answer is what it must accept (kube-api.md §9).
/// </summary>
public sealed class KubectlCreateTokenTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meshbridge-kubectl-").FullName;
    private readonly ManualTimeProvider _clock = new(AuthTestTime.Epoch);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Kubectl_create_token_with_duration_and_pod_binding_sends_a_protobuf_TokenRequest_and_prints_our_token()
    {
        using var issuer = new ServiceAccountTokenIssuer(_clock);
        await using var server = await TokenEndpointFake.StartAsync(issuer);

        var run = await KubectlAsync(server, "create", "token", "nic", "--audience", "istio-ca", "--audience", "other", "--duration", "10m",
            "--bound-object-kind", "Pod", "--bound-object-name", "p1", "--bound-object-uid", "123");

        var exchange = Assert.Single(server.Exchanges);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("POST /api/v1/namespaces/default/serviceaccounts/nic/token", exchange.Request);
        Assert.Equal("application/vnd.kubernetes.protobuf", exchange.ContentType);
        var request = TokenRequestProtobuf.Decode(exchange.Body);
        Assert.Equal(["istio-ca", "other"], request.Spec.Audiences);
        Assert.Equal(600, request.Spec.ExpirationSeconds);
        Assert.Equal(new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p1", Uid = "123" }, request.Spec.BoundObjectRef);
        Assert.Null(request.Name);
        Assert.Null(request.Namespace);
        Assert.Equal(exchange.Result!.Token, run.Stdout);
    }

    [Fact]
    public async Task Kubectl_create_token_without_duration_leaves_expirationSeconds_out_and_the_server_defaults_it_to_an_hour()
    {
        using var issuer = new ServiceAccountTokenIssuer(_clock);
        await using var server = await TokenEndpointFake.StartAsync(issuer);

        var run = await KubectlAsync(server, "create", "token", "nic", "--audience", "istio-ca");

        var exchange = Assert.Single(server.Exchanges);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var request = TokenRequestProtobuf.Decode(exchange.Body);
        Assert.Equal(["istio-ca"], request.Spec.Audiences);
        Assert.Null(request.Spec.ExpirationSeconds);
        Assert.Null(request.Spec.BoundObjectRef);
        Assert.Equal(3600, exchange.Result!.Spec.ExpirationSeconds);
        Assert.Equal(_clock.GetUtcNow().AddHours(1), exchange.Result.ExpirationTimestamp);
        Assert.Equal(exchange.Result.Token, run.Stdout);
    }

    [Fact]
    public async Task The_token_kubectl_printed_passes_a_TokenReview_for_istio_ca_bound_to_its_pod()
    {
        using var issuer = new ServiceAccountTokenIssuer(_clock);
        await using var server = await TokenEndpointFake.StartAsync(issuer);
        var run = await KubectlAsync(server, "create", "token", "nic", "--audience", "istio-ca", "--bound-object-kind", "Pod",
            "--bound-object-name", "p1", "--bound-object-uid", "123");
        Assert.True(run.ExitCode == 0, run.Stderr);

        var review = issuer.Review(run.Stdout, ["istio-ca"], _ => TokenEndpointFake.ServiceAccountUid);

        Assert.True(review.Status.Authenticated, review.Status.Error);
        Assert.Equal("system:serviceaccount:default:nic", review.Status.User.Username);
        Assert.Equal(["p1"], review.Status.User.Extra!["authentication.kubernetes.io/pod-name"]);
        Assert.Equal(["123"], review.Status.User.Extra["authentication.kubernetes.io/pod-uid"]);
    }

    [Fact]
    public async Task Kubectl_reports_a_duration_under_ten_minutes_with_the_API_servers_exact_words()
    {
        using var issuer = new ServiceAccountTokenIssuer(_clock);
        await using var server = await TokenEndpointFake.StartAsync(issuer);

        var run = await KubectlAsync(server, "create", "token", "nic", "--duration", "1m");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal(60, TokenRequestProtobuf.Decode(Assert.Single(server.Exchanges).Body).Spec.ExpirationSeconds);
        Assert.Equal(
            "error: failed to create token: TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes",
            run.Stderr.Trim());
        Assert.Equal("", run.Stdout);
    }

    private async Task<ExternalProcess.Result> KubectlAsync(TokenEndpointFake server, params string[] command)
    {
        var kubeconfig = Path.Combine(_dir, "kubeconfig");
        // Plain http: kubectl then sends no credentials at all (kube-api.md §0), and create token needs none here.
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: lab
              cluster:
                server: {server.BaseAddress.GetLeftPart(UriPartial.Authority)}
            users:
            - name: lab
              user: {"{}"}
            contexts:
            - name: lab
              context:
                cluster: lab
                user: lab
                namespace: default
            current-context: lab
            """);
        return await ExternalProcess.RunAsync(Support.Kubectl.Path, ["--kubeconfig", kubeconfig, .. command], home: _dir);
    }
}
