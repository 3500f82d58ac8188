using MeshBridge.Certificates.Tests.Support;

namespace MeshBridge.Certificates.Tests;

/// <summary>
/// End to end against an independent CA: OpenSSL signs our CSR the way istiod does, our verifier accepts the result,
/// and OpenSSL in turn accepts the files we would write (<c>openssl verify</c>, key and certificate match).
/// </summary>
public sealed class OpensslCaTests : IDisposable
{
    private const string Identity = "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress";

    private readonly TempDirectory _dir = new();

    // OpenSSL stamps its certificates with the real clock (NotBefore = now, to the second); a minute later they are
    // valid without waiting for anything.
    private readonly ChainVerifier _verifier = new(new ManualTimeProvider(DateTimeOffset.UtcNow.AddMinutes(1)));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Verify_LeafFromOpensslRoot_IsAcceptedAndOpensslAcceptsTheFiles()
    {
        var root = await OpensslCa.RootAsync(_dir, "root");
        using var csr = CertificateSigningRequest.Create(Identity);
        var leaf = await root.SignAsync(csr.Pem, Identity);
        using var chain = IssuedChain.Parse([leaf, root.Pem]);

        var verified = _verifier.Verify(chain, csr, root.Pem);

        _dir.Write("tls.crt", verified.CertificateChainPem);
        _dir.Write("tls.key", verified.PrivateKeyPem);
        _dir.Write("ca.crt", verified.RootBundlePem);
        Assert.Contains("tls.crt: OK", await Openssl.RunAsync(_dir.Path, "verify", "-CAfile", "ca.crt", "tls.crt"), StringComparison.Ordinal);
        Assert.Equal(
            await Openssl.RunAsync(_dir.Path, "x509", "-in", "tls.crt", "-noout", "-pubkey"),
            await Openssl.RunAsync(_dir.Path, "pkey", "-in", "tls.key", "-pubout"));
        Assert.Equal(chain.Leaf.NotAfter.ToUniversalTime(), verified.NotAfter.UtcDateTime);
    }

    [Fact]
    public async Task Verify_LeafFromOpensslIntermediate_ServesTheIntermediate()
    {
        var root = await OpensslCa.RootAsync(_dir, "root");
        var intermediate = await root.IntermediateAsync("intermediate");
        using var csr = CertificateSigningRequest.Create(Identity);
        var leaf = await intermediate.SignAsync(csr.Pem, Identity);
        using var chain = IssuedChain.Parse([leaf, intermediate.Pem, root.Pem]);

        var verified = _verifier.Verify(chain, csr, root.Pem);

        _dir.Write("tls.crt", verified.CertificateChainPem);
        _dir.Write("ca.crt", verified.RootBundlePem);
        Assert.Equal(2, verified.CertificateChainPem.Split("-----BEGIN CERTIFICATE-----").Length - 1);

        // -untrusted tls.crt: the intermediate must come from what we serve, not from the trust store.
        var verify = await Openssl.RunAsync(_dir.Path, "verify", "-CAfile", "ca.crt", "-untrusted", "tls.crt", "tls.crt");
        Assert.Contains("tls.crt: OK", verify, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_OpensslLeafForAnotherIdentity_IsRefused()
    {
        // istiod writes the caller's authenticated identity, whatever the CSR says: a token for the wrong service
        // account shows up only here.
        var root = await OpensslCa.RootAsync(_dir, "root");
        using var csr = CertificateSigningRequest.Create(Identity);
        var leaf = await root.SignAsync(csr.Pem, "spiffe://cluster.local/ns/default/sa/default");
        using var chain = IssuedChain.Parse([leaf, root.Pem]);

        var error = Assert.Throws<CertificateVerificationException>(() => _verifier.Verify(chain, csr, root.Pem));

        Assert.Equal($"URI SAN spiffe://cluster.local/ns/default/sa/default is not the identity asked for {Identity}", error.Message);
    }

    [Fact]
    public async Task Verify_OpensslLeafAgainstAnotherOpensslRoot_DoesNotChain()
    {
        var root = await OpensslCa.RootAsync(_dir, "root");
        var mesh = await OpensslCa.RootAsync(_dir, "mesh");
        using var csr = CertificateSigningRequest.Create(Identity);
        var leaf = await root.SignAsync(csr.Pem, Identity);
        using var chain = IssuedChain.Parse([leaf, root.Pem]);

        var error = Assert.Throws<CertificateVerificationException>(() => _verifier.Verify(chain, csr, mesh.Pem));

        Assert.StartsWith("the issued certificate does not chain to the mesh root (O=mesh)", error.Message, StringComparison.Ordinal);
    }
}
