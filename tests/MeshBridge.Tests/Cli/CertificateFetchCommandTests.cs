using MeshBridge.Lab.Sds;
using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Cli;

/// <summary>
/// <c>meshbridge certificate fetch</c> against a stand-in istio-agent SDS server (grpc-js on a Unix socket,
/// tests/Shared/SdsStandIn.cs), its files judged by the openssl CLI.
/// </summary>
public sealed class CertificateFetchCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mb-fetch-cli-");

    private string Out => Path.Combine(_dir.FullName, "out");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Fetch_writes_the_chain_a_key_only_the_owner_reads_and_the_root_and_prints_the_identity()
    {
        await using var agent = await SdsStandIn.StartAsync();

        var run = await Task.Run(() => CliRun.Invoke("certificate", "fetch", "--sds-socket", agent.SocketPath, "--out-dir", Out, "--node-id", "router~10.0.0.1~nic.nginx-ingress~nginx-ingress.svc.cluster.local"));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"identity:   {SdsStandIn.Identity}\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("issuer:     O=cluster.local\n", run.Stdout, StringComparison.Ordinal);
        Assert.Matches("not after: +20[0-9-]+T", run.Stdout);
        Assert.DoesNotContain("PRIVATE KEY", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.Equal(agent.ChainPem, File.ReadAllText(Path.Combine(Out, "tls.crt")));
        Assert.Equal(agent.RootPem, File.ReadAllText(Path.Combine(Out, "ca.crt")));
        Assert.Contains("tls.crt: OK", await IstiodStandIn.OpensslAsync(Out, "verify", "-CAfile", "ca.crt", "tls.crt"), StringComparison.Ordinal);
        Assert.Equal(
            await IstiodStandIn.OpensslAsync(Out, "x509", "-in", "tls.crt", "-noout", "-pubkey"),
            await IstiodStandIn.OpensslAsync(Out, "pkey", "-in", "tls.key", "-pubout"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Out, "tls.key")));
        }

        var first = (await agent.WaitForLinesAsync(l => l.StartsWith("request ", StringComparison.Ordinal), 1, TimeSpan.FromSeconds(20)))[0];
        Assert.Contains("\"node\":\"router~10.0.0.1~nic.nginx-ingress~nginx-ingress.svc.cluster.local\"", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_node_id_is_refused_with_the_servers_reason_and_nothing_is_written()
    {
        await using var agent = await SdsStandIn.StartAsync();

        var run = await Task.Run(() => CliRun.Invoke("certificate", "fetch", "--sds-socket", agent.SocketPath, "--out-dir", Out, "--node-id", string.Empty));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("missing node information", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was written.", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task Fetch_from_a_SPIRE_agent_by_SPIFFE_ID_and_trust_domain_bundle_writes_a_PKCS8_key_and_its_bundle()
    {
        await using var spire = await LabSdsServer.StartAsync(new LabSdsOptions { Flavour = LabSdsFlavour.Spire });

        var run = await Task.Run(() => CliRun.Invoke(
            "certificate", "fetch", "--sds-socket", spire.SocketPath, "--out-dir", Out,
            "--resource", LabSdsOptions.DefaultSpiffeId, "--root-resource", $"spiffe://{spire.TrustDomain}", "--trust-domain", spire.TrustDomain));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"identity:   {LabSdsOptions.DefaultSpiffeId}\n", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(Out, "tls.key")), StringComparison.Ordinal);
        Assert.Equal(spire.RootCertificatePem, File.ReadAllText(Path.Combine(Out, "ca.crt")));
        Assert.Equal(spire.CertificateChainPem, File.ReadAllText(Path.Combine(Out, "tls.crt")));
        Assert.Contains("tls.crt: OK", await IstiodStandIn.OpensslAsync(Out, "verify", "-CAfile", "ca.crt", "tls.crt"), StringComparison.Ordinal);
        Assert.Equal("1", (await spire.WaitForAckAsync(_ => true, TimeSpan.FromSeconds(20))).Version);
    }

    [Fact]
    public async Task The_trust_domain_option_picks_the_bundle_out_of_a_SPIFFE_validator_with_several()
    {
        await using var agent = await SdsStandIn.StartAsync("spire-federated");

        var run = await Task.Run(() => CliRun.Invoke("certificate", "fetch", "--sds-socket", agent.SocketPath, "--out-dir", Out, "--trust-domain", SdsStandIn.FederatedTrustDomain));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(agent.FederatedPem, File.ReadAllText(Path.Combine(Out, "ca.crt")));
    }

    [Fact]
    public async Task Without_the_trust_domain_option_several_trust_domains_are_refused_by_name()
    {
        await using var agent = await SdsStandIn.StartAsync("spire-federated");

        var run = await Task.Run(() => CliRun.Invoke("certificate", "fetch", "--sds-socket", agent.SocketPath, "--out-dir", Out));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'cluster.local', 'example.org'", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void A_missing_socket_exits_4_naming_the_path()
    {
        var path = Path.Combine(_dir.FullName, "no.sock");

        var run = CliRun.Invoke("certificate", "fetch", "--sds-socket", path, "--out-dir", Out);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains(path, run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void A_bad_timeout_is_a_usage_error()
    {
        var run = CliRun.Invoke("certificate", "fetch", "--sds-socket", "/nonexistent", "--timeout", "soon");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--timeout", run.Stderr, StringComparison.Ordinal);
    }
}
