using System.Text.Json;
using MeshBridge.Certificates.Sds;

namespace MeshBridge.Certificates.Tests.Sds;

/// <summary><see cref="SdsClient"/> against a stand-in istio-agent (grpc-js on a Unix socket, tests/Shared/SdsStandIn.cs).</summary>
public sealed class SdsClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Fetch_returns_the_chain_key_and_root_and_acks_every_response_with_its_nonce()
    {
        await using var agent = await SdsStandIn.StartAsync();

        var secrets = await new SdsClient(TimeProvider.System).FetchAsync(new SdsRequest { SocketPath = agent.SocketPath, Timeout = Wait });

        Assert.Equal(agent.ChainPem, secrets.CertificateChainPem);
        Assert.Equal(agent.KeyPem, secrets.PrivateKeyPem);
        Assert.Equal(agent.RootPem, secrets.RootBundlePem);
        Assert.DoesNotContain("PRIVATE", secrets.ToString(), StringComparison.Ordinal);
        var requests = Requests(await agent.WaitForLinesAsync(IsRequest, 3, Wait));
        Assert.Equal(SdsRequest.DefaultNodeId, requests[0].GetProperty("node").GetString());
        Assert.Equal(["default", "ROOTCA"], requests[0].GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(SdsClient.SecretTypeUrl, requests[0].GetProperty("type").GetString());
        Assert.Equal(string.Empty, requests[0].GetProperty("nonce").GetString());
        Assert.Equal(("v1", "nonce-1"), (requests[1].GetProperty("version").GetString(), requests[1].GetProperty("nonce").GetString()));
        Assert.Equal(("v2", "nonce-2"), (requests[2].GetProperty("version").GetString(), requests[2].GetProperty("nonce").GetString()));
        Assert.All(requests, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind));
        Assert.DoesNotContain(agent.Lines, l => l.StartsWith("stale ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_resource_that_is_not_a_Secret_is_nacked_with_its_nonce_and_the_resent_one_accepted()
    {
        await using var agent = await SdsStandIn.StartAsync("corrupt-first");

        var secrets = await new SdsClient(TimeProvider.System).FetchAsync(new SdsRequest { SocketPath = agent.SocketPath, Timeout = Wait });

        Assert.Equal(agent.ChainPem, secrets.CertificateChainPem);
        Assert.Equal("v2", secrets.CertificateVersion);
        var requests = Requests(await agent.WaitForLinesAsync(IsRequest, 4, Wait));
        Assert.Equal("nonce-1", requests[1].GetProperty("nonce").GetString());
        Assert.Equal(string.Empty, requests[1].GetProperty("version").GetString());
        Assert.Contains("not a Secret", requests[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(("v2", "nonce-2"), (requests[2].GetProperty("version").GetString(), requests[2].GetProperty("nonce").GetString()));
        Assert.Equal(JsonValueKind.Null, requests[2].GetProperty("error").ValueKind);
        Assert.Equal(("v3", "nonce-3"), (requests[3].GetProperty("version").GetString(), requests[3].GetProperty("nonce").GetString()));
    }

    [Fact]
    public async Task An_empty_node_id_is_refused_by_the_server_as_missing_node_information()
    {
        await using var agent = await SdsStandIn.StartAsync();

        var e = await Assert.ThrowsAsync<SdsException>(() => new SdsClient(TimeProvider.System).FetchAsync(
            new SdsRequest { SocketPath = agent.SocketPath, NodeId = string.Empty, Timeout = Wait }));

        Assert.Equal(SdsFailure.InvalidArgument, e.Failure);
        Assert.Contains("missing node information", e.Message, StringComparison.Ordinal);
        Assert.Contains("non-empty", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.Lines, l => l.StartsWith("sent ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_without_StreamSecrets_fails_as_Unimplemented()
    {
        await using var agent = await SdsStandIn.StartAsync("no-stream");

        var e = await Assert.ThrowsAsync<SdsException>(() => new SdsClient(TimeProvider.System).FetchAsync(new SdsRequest { SocketPath = agent.SocketPath, Timeout = Wait }));

        Assert.Equal(SdsFailure.Unimplemented, e.Failure);
        Assert.Contains("does not implement StreamSecrets", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_fails_as_a_timeout_naming_the_resources()
    {
        await using var agent = await SdsStandIn.StartAsync("silent");

        var e = await Assert.ThrowsAsync<SdsException>(() => new SdsClient(TimeProvider.System).FetchAsync(
            new SdsRequest { SocketPath = agent.SocketPath, Timeout = TimeSpan.FromMilliseconds(500) }));

        Assert.Equal(SdsFailure.Timeout, e.Failure);
        Assert.Contains("'default' and 'ROOTCA'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_socket_fails_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mb-no-sds-{Guid.NewGuid():N}.sock");

        var e = await Assert.ThrowsAsync<SdsException>(() => new SdsClient(TimeProvider.System).FetchAsync(new SdsRequest { SocketPath = path }));

        Assert.Equal(SdsFailure.SocketMissing, e.Failure);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_nobody_listens_on_fails_as_socket_missing()
    {
        var dir = Directory.CreateTempSubdirectory("mb-stale-sds-");
        try
        {
            // A path that exists but is no listening socket (connect: ECONNREFUSED), e.g. the wrong file passed.
            var path = Path.Combine(dir.FullName, "sds.sock");
            await File.WriteAllTextAsync(path, string.Empty);

            var e = await Assert.ThrowsAsync<SdsException>(() => new SdsClient(TimeProvider.System).FetchAsync(new SdsRequest { SocketPath = path, Timeout = Wait }));

            Assert.Equal(SdsFailure.SocketMissing, e.Failure);
            Assert.True(e.Message.Contains("not accepting connections", StringComparison.Ordinal), e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static bool IsRequest(string line) => line.StartsWith("request ", StringComparison.Ordinal);

    private static List<JsonElement> Requests(IEnumerable<string> lines) =>
        [.. lines.Select(l => JsonDocument.Parse(l["request ".Length..]).RootElement)];
}
