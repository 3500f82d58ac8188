using System.Text.Json.Nodes;
using MeshBridge.Lab.Sds;

namespace MeshBridge.Lab.Tests.Sds;

/// <summary>
/// The lab SDS server judged by software nobody here wrote: a grpc-js client (interop/sds-client.js, our protos,
/// protobufjs decoding the Secrets) on its Unix socket, and the openssl CLI on what it got.
/// </summary>
public sealed class LabSdsServerTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mb-lab-sds-test-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task IstioAgent_secrets_reach_grpc_js_and_chain_to_the_root_with_the_identity_as_URI_SAN()
    {
        await using var server = await LabSdsServer.StartAsync();

        var (client, exitCode) = await NodeSdsClient.RunAsync(server.SocketPath);
        await using var _ = client;

        Assert.True(exitCode == 0, client.Describe());
        var response = client.Responses.Single();
        Assert.Equal("1", response["version"]!.GetValue<string>());
        Assert.Equal(LabSdsServer.SecretTypeUrl, response["type_url"]!.GetValue<string>());
        var certificate = client.Secret(0, "default");
        var root = client.Secret(0, "ROOTCA");
        Assert.Equal(server.RootCertificatePem, root["trusted_ca"]!.GetValue<string>());
        Assert.Null(root["validator"]);
        Assert.Equal("-----BEGIN EC PRIVATE KEY-----", certificate["key_header"]!.GetValue<string>());
        var chain = certificate["chain"]!.GetValue<string>();
        Assert.EndsWith(server.RootCertificatePem, chain, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "chain.pem"), chain);
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "root.pem"), root["trusted_ca"]!.GetValue<string>());
        File.Copy(certificate["key_file"]!.GetValue<string>(), Path.Combine(_dir.FullName, "key.pem"));
        Assert.Contains("chain.pem: OK", await IstiodStandIn.OpensslAsync(_dir.FullName, "verify", "-CAfile", "root.pem", "chain.pem"), StringComparison.Ordinal);
        var text = await IstiodStandIn.OpensslAsync(_dir.FullName, "x509", "-in", "chain.pem", "-noout", "-text");
        Assert.Contains($"URI:{LabSdsOptions.DefaultSpiffeId}", text, StringComparison.Ordinal);
        Assert.Equal(
            await IstiodStandIn.OpensslAsync(_dir.FullName, "x509", "-in", "chain.pem", "-noout", "-pubkey"),
            await IstiodStandIn.OpensslAsync(_dir.FullName, "pkey", "-in", "key.pem", "-pubout"));

        var ack = await server.WaitForAckAsync(_ => true, Wait);
        Assert.Equal(new LabSdsAck("1", response["nonce"]!.GetValue<string>(), null), ack);
        Assert.Equal([response["nonce"]!.GetValue<string>()], server.SentNonces);
    }

    [Fact]
    public async Task IstioAgent_refuses_an_empty_node_id_with_INVALID_ARGUMENT_missing_node_information()
    {
        await using var server = await LabSdsServer.StartAsync();

        var (client, exitCode) = await NodeSdsClient.RunAsync(server.SocketPath, "--node-id", string.Empty);
        await using var _ = client;

        Assert.True(exitCode == 2, client.Describe());
        Assert.Equal(3, client.Status["code"]!.GetValue<int>());
        Assert.Equal(LabSdsServer.MissingNodeInformation, client.Status["details"]!.GetValue<string>());
        Assert.Empty(client.Responses);
    }

    [Fact]
    public async Task A_rotation_is_pushed_to_the_open_grpc_js_stream_with_a_new_version_and_nonce_and_acked()
    {
        await using var server = await LabSdsServer.StartAsync();
        await using var client = await NodeSdsClient.StartAsync(server.SocketPath, "--responses", "2");
        await client.WaitForLinesAsync("acked ", 1, Wait);

        await server.RotateAsync().WaitAsync(Wait);

        Assert.True(await client.ExitAsync() == 0, client.Describe());
        var (first, second) = (client.Responses[0], client.Responses[1]);
        Assert.Equal("2", second["version"]!.GetValue<string>());
        Assert.NotEqual(first["nonce"]!.GetValue<string>(), second["nonce"]!.GetValue<string>());
        Assert.NotEqual(client.Secret(0, "default")["chain"]!.GetValue<string>(), client.Secret(1, "default")["chain"]!.GetValue<string>());
        Assert.Equal(server.CertificateChainPem, client.Secret(1, "default")["chain"]!.GetValue<string>());
        Assert.Equal(client.Secret(0, "ROOTCA")["trusted_ca"]!.GetValue<string>(), client.Secret(1, "ROOTCA")["trusted_ca"]!.GetValue<string>());
        await server.WaitForAckAsync(a => a.Nonce == second["nonce"]!.GetValue<string>() && a.Version == "2", Wait);
        Assert.Equal(2, server.AckCount);
        Assert.Equal(0, server.NackCount);
    }

    [Fact]
    public async Task A_replaced_root_is_pushed_with_a_certificate_that_chains_to_it()
    {
        await using var server = await LabSdsServer.StartAsync();
        var oldRoot = server.RootCertificatePem;
        await using var client = await NodeSdsClient.StartAsync(server.SocketPath, "--responses", "2");
        await client.WaitForLinesAsync("acked ", 1, Wait);

        await server.ReplaceRootAsync().WaitAsync(Wait);

        Assert.True(await client.ExitAsync() == 0, client.Describe());
        var root = client.Secret(1, "ROOTCA")["trusted_ca"]!.GetValue<string>();
        Assert.NotEqual(oldRoot, root);
        Assert.Equal(server.RootCertificatePem, root);
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "chain.pem"), client.Secret(1, "default")["chain"]!.GetValue<string>());
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "root.pem"), root);
        Assert.Contains("chain.pem: OK", await IstiodStandIn.OpensslAsync(_dir.FullName, "verify", "-CAfile", "root.pem", "chain.pem"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("1.17.4", false)]
    [InlineData("1.18.0", true)]
    [InlineData("1.34.1", true)]
    [InlineData("2.0.0", true)]
    public async Task Spire_sends_the_bundle_as_a_SPIFFE_validator_only_to_Envoy_1_18_or_later(string buildVersion, bool validator)
    {
        await using var server = await LabSdsServer.StartAsync(new LabSdsOptions { Flavour = LabSdsFlavour.Spire });
        var bundleName = $"spiffe://{server.TrustDomain}";
        string[] arguments = ["--names", $"{LabSdsOptions.DefaultSpiffeId},{bundleName}", .. buildVersion == string.Empty ? Array.Empty<string>() : ["--build-version", buildVersion]];

        var (client, exitCode) = await NodeSdsClient.RunAsync(server.SocketPath, arguments);
        await using var _ = client;

        Assert.True(exitCode == 0, client.Describe());
        var certificate = client.Secret(0, LabSdsOptions.DefaultSpiffeId);
        Assert.Equal("-----BEGIN PRIVATE KEY-----", certificate["key_header"]!.GetValue<string>());
        Assert.DoesNotContain(server.RootCertificatePem, certificate["chain"]!.GetValue<string>(), StringComparison.Ordinal);
        var bundle = client.Secret(0, bundleName);
        if (validator)
        {
            Assert.Null(bundle["trusted_ca"]);
            Assert.Equal(LabSdsServer.SpiffeValidatorName, bundle["validator"]!["name"]!.GetValue<string>());
            Assert.Equal("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig", bundle["validator"]!["type_url"]!.GetValue<string>());
            var domain = bundle["validator"]!["trust_domains"]!.AsArray().Single()!;
            Assert.Equal("cluster.local", domain["name"]!.GetValue<string>());
            Assert.Equal(server.RootCertificatePem, domain["trust_bundle"]!.GetValue<string>());
        }
        else
        {
            Assert.Null(bundle["validator"]);
            Assert.Equal(server.RootCertificatePem, bundle["trusted_ca"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Spire_also_serves_default_and_ROOTCA_and_FetchSecrets()
    {
        await using var server = await LabSdsServer.StartAsync(new LabSdsOptions { Flavour = LabSdsFlavour.Spire });

        var (client, exitCode) = await NodeSdsClient.RunAsync(server.SocketPath, "--fetch");
        await using var _ = client;

        Assert.True(exitCode == 0, client.Describe());
        Assert.Equal(server.CertificateChainPem, client.Secret(0, "default")["chain"]!.GetValue<string>());
        Assert.Equal(server.RootCertificatePem, client.Secret(0, "ROOTCA")["trusted_ca"]!.GetValue<string>());
    }

    [Fact]
    public async Task IstioAgent_answers_FetchSecrets_with_UNIMPLEMENTED()
    {
        await using var server = await LabSdsServer.StartAsync();

        var (client, exitCode) = await NodeSdsClient.RunAsync(server.SocketPath, "--fetch");
        await using var _ = client;

        Assert.True(exitCode == 2, client.Describe());
        Assert.Equal(12, client.Status["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_malformed_certificate_resource_is_nacked_by_grpc_js_and_recorded()
    {
        await using var server = await LabSdsServer.StartAsync();
        server.Faults.SetMalformedCertificate(true);

        var (client, exitCode) = await NodeSdsClient.RunAsync(server.SocketPath);
        await using var _ = client;

        Assert.True(exitCode == 0, client.Describe());
        var nack = await server.WaitForAckAsync(a => a.IsNack, Wait);
        Assert.Equal(string.Empty, nack.Version);
        Assert.Equal(server.SentNonces.Single(), nack.Nonce);
        Assert.Equal(1, server.NackCount);
    }

    [Fact]
    public async Task An_unavailable_server_answers_UNAVAILABLE()
    {
        await using var server = await LabSdsServer.StartAsync();
        server.Faults.SetUnavailable(true);

        var (client, exitCode) = await NodeSdsClient.RunAsync(server.SocketPath);
        await using var _ = client;

        Assert.True(exitCode == 2, client.Describe());
        Assert.Equal(14, client.Status["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_given_socket_path_replaces_a_stale_file_and_is_removed_on_dispose()
    {
        var path = Path.Combine(_dir.FullName, "run", "sds.sock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "stale");

        var server = await LabSdsServer.StartAsync(new LabSdsOptions { SocketPath = path });
        Assert.Equal(path, server.SocketPath);
        Assert.Equal(0, new FileInfo(path).Length); // a socket now, not the five bytes of the stale file
        await server.DisposeAsync();

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Automatic_rotation_issues_a_new_certificate_at_half_the_lifetime()
    {
        var time = new ManualTimeProvider();
        await using var server = await LabSdsServer.StartAsync(new LabSdsOptions { AutoRotate = true, CertificateLifetime = TimeSpan.FromHours(2), Time = time });
        var first = server.CertificateChainPem;

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal("1", server.Version);
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal("2", server.Version);
        Assert.NotEqual(first, server.CertificateChainPem);
    }
}
