using System.Diagnostics;
using System.Text.Json.Nodes;
using MeshBridge.Certificates;
using MeshBridge.Lab.IstioCa;

namespace MeshBridge.Lab.Tests.IstioCa;

/// <summary>
/// The lab CA judged by software nobody here wrote: grpc-js (over our protos, TLS to <c>istiod.istio-system.svc</c>
/// trusting only the mesh root) must get a chain, and openssl must read the leaf as istiod would have made it.
/// </summary>
public sealed class GrpcJsFidelityTests : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mb-labca-openssl-");
    private LabCa _lab = null!;

    public async Task InitializeAsync() => _lab = await LabCa.StartAsync();

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task A_grpc_js_client_gets_a_leaf_for_its_token_identity_even_when_the_CSR_asks_for_another()
    {
        using var csr = CertificateSigningRequest.Create("spiffe://cluster.local/ns/kube-system/sa/admin");
        var token = await _lab.TokenAsync();

        var (exitCode, stdout, stderr) = await NodeCaClient.CreateCertificateAsync(
            _lab.Ca.Address, _lab.Ca.RootCertificatePem, LabIstioCa.ServerName, token, csr.Pem, 3600);

        Assert.True(exitCode == 0, $"grpc-js failed ({exitCode}): {stdout}\n{stderr}");
        var chain = JsonNode.Parse(stdout)!["cert_chain"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Equal(2, chain.Count);
        Assert.Equal(_lab.Ca.RootCertificatePem, chain[1]);

        var text = await OpensslAsync(["x509", "-noout", "-text"], chain[0]);
        Assert.Contains("URI:spiffe://cluster.local/ns/mesh-apps/sa/web", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kube-system", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Subject Alternative Name: critical", text, StringComparison.Ordinal);
        Assert.Contains("Digital Signature, Key Encipherment", text, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text, StringComparison.Ordinal);
        Assert.Equal(1, _lab.Ca.IssuedCount(_lab.WebId));

        var root = Path.Combine(_directory.FullName, "root.pem");
        await File.WriteAllTextAsync(root, _lab.Ca.RootCertificatePem);
        var verified = await OpensslAsync(["verify", "-CAfile", root, "-purpose", "sslclient"], chain[0]);
        Assert.Equal("stdin: OK", verified.Trim());
    }

    [Fact]
    public async Task A_grpc_js_client_with_a_token_for_another_audience_is_told_UNAUTHENTICATED()
    {
        using var csr = CertificateSigningRequest.Create("spiffe://cluster.local/ns/mesh-apps/sa/web");
        var token = await _lab.TokenAsync(audience: "vault");

        var (exitCode, stdout, stderr) = await NodeCaClient.CreateCertificateAsync(
            _lab.Ca.Address, _lab.Ca.RootCertificatePem, LabIstioCa.ServerName, token, csr.Pem, 3600);

        Assert.True(exitCode == 2, $"expected a gRPC error ({exitCode}): {stdout}\n{stderr}");
        var error = JsonNode.Parse(stdout)!;
        Assert.Equal(16, error["code"]!.GetValue<int>());
        Assert.Equal(LabIstioCa.AuthenticationFailure, error["details"]!.GetValue<string>());
    }

    private static async Task<string> OpensslAsync(string[] arguments, string input)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', arguments)} failed: {await stderr}");
        return await stdout;
    }
}
