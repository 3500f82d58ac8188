using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer.Auth;

namespace MeshBridge.Lab.Tests.Auth;

/// <summary>
/// The issuer's JWTs checked by software that shares no code with it: Node.js's built-in crypto verifies the RS256
/// signature and derives the kid from the public key the way jwt.go does.
/// </summary>
public sealed class NodeJwtVerificationTests : IDisposable
{
    // Reads the key and token files named on the command line; prints what it found as one JSON line.
    private const string VerifyScript = """
        const crypto = require('crypto');
        const fs = require('fs');
        const key = crypto.createPublicKey(fs.readFileSync(process.argv[2], 'utf8'));
        const [header, payload, signature] = fs.readFileSync(process.argv[3], 'utf8').trim().split('.');
        const valid = crypto.verify('RSA-SHA256', Buffer.from(header + '.' + payload), key, Buffer.from(signature, 'base64url'));
        const kid = crypto.createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('base64url');
        const decode = part => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
        console.log(JSON.stringify({ valid, kid, header: decode(header), claims: decode(payload) }));
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("meshbridge-node-").FullName;
    private readonly ManualTimeProvider _clock = new(AuthTestTime.Epoch);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Node_verifies_the_RS256_signature_and_derives_the_same_kid_from_the_public_key()
    {
        using var issuer = new ServiceAccountTokenIssuer(_clock);
        var token = Issue(issuer, new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p1", Uid = "123" });

        var verdict = await VerifyWithNodeAsync(issuer, token);

        Assert.True(verdict["valid"]!.GetValue<bool>());
        Assert.Equal(verdict["kid"]!.GetValue<string>(), issuer.KeyId);
        Assert.Equal($$"""{"alg":"RS256","kid":"{{issuer.KeyId}}"}""", verdict["header"]!.ToJsonString());
    }

    [Fact]
    public async Task Node_reads_the_claims_kube_apiserver_puts_in_a_pod_bound_token()
    {
        using var issuer = new ServiceAccountTokenIssuer(_clock);
        var token = Issue(issuer, new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p1", Uid = "123" });

        var claims = (await VerifyWithNodeAsync(issuer, token))["claims"]!;

        var iat = _clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal("https://kubernetes.default.svc.cluster.local", claims["iss"]!.GetValue<string>());
        Assert.Equal("system:serviceaccount:nginx-ingress:nic", claims["sub"]!.GetValue<string>());
        Assert.Equal("""["istio-ca"]""", claims["aud"]!.ToJsonString());
        Assert.Equal(iat, claims["iat"]!.GetValue<long>());
        Assert.Equal(iat, claims["nbf"]!.GetValue<long>());
        Assert.Equal(iat + 600, claims["exp"]!.GetValue<long>());
        Assert.True(Guid.TryParseExact(claims["jti"]!.GetValue<string>(), "D", out _));
        Assert.Equal(
            """{"namespace":"nginx-ingress","pod":{"name":"p1","uid":"123"},"serviceaccount":{"name":"nic","uid":"sa-uid-1"}}""",
            claims["kubernetes.io"]!.ToJsonString());
    }

    [Fact]
    public async Task Node_rejects_a_token_whose_payload_was_changed_after_signing()
    {
        using var issuer = new ServiceAccountTokenIssuer(_clock);
        var parts = Issue(issuer, bound: null).Split('.');
        var forged = System.Buffers.Text.Base64Url.EncodeToString(
            System.Text.Encoding.UTF8.GetBytes("""{"iss":"https://kubernetes.default.svc.cluster.local","sub":"system:serviceaccount:kube-system:admin"}"""));

        var verdict = await VerifyWithNodeAsync(issuer, $"{parts[0]}.{forged}.{parts[2]}");

        Assert.False(verdict["valid"]!.GetValue<bool>());
    }

    private static string Issue(ServiceAccountTokenIssuer issuer, V1BoundObjectReference? bound)
    {
        var spec = new V1TokenRequestSpec { Audiences = ["istio-ca"], ExpirationSeconds = 600, BoundObjectRef = bound };
        return issuer.Issue(new ServiceAccountReference("nginx-ingress", "nic", "sa-uid-1"), spec).Token!;
    }

    private async Task<JsonNode> VerifyWithNodeAsync(ServiceAccountTokenIssuer issuer, string token)
    {
        var node = ExternalProcess.FindOnPath("node")
            ?? throw new InvalidOperationException("node is not on PATH; the JWT cross-check needs Node.js (its built-in crypto module, no packages)");
        var script = Path.Combine(_dir, "verify.js");
        var pem = Path.Combine(_dir, "sa.pub");
        var tokenFile = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(script, VerifyScript);
        await File.WriteAllTextAsync(pem, issuer.ExportPublicKeyPem());
        await File.WriteAllTextAsync(tokenFile, token);

        var run = await ExternalProcess.RunAsync(node, [script, pem, tokenFile]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonNode.Parse(run.Stdout)!;
    }
}
