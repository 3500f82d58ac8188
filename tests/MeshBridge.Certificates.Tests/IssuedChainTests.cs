using MeshBridge.Certificates.Tests.Support;

namespace MeshBridge.Certificates.Tests;

/// <summary>
/// <c>cert_chain</c> is read as istio-agent reads it (reference/istio.md §1): leaf = [0], root bundle = [last],
/// intermediates = [1..last-1] minus self-signed, and fewer than two elements is an error.
/// </summary>
public sealed class IssuedChainTests : IDisposable
{
    private const string Identity = "spiffe://cluster.local/ns/nginx/sa/nginx-ingress";

    private readonly TestCa _root = TestCa.Root("root");
    private readonly TestCa _intermediate;
    private readonly CertificateSigningRequest _csr = CertificateSigningRequest.Create(Identity);

    public IssuedChainTests() => _intermediate = _root.Intermediate("intermediate");

    public void Dispose()
    {
        _csr.Dispose();
        _intermediate.Dispose();
        _root.Dispose();
    }

    [Fact]
    public void Parse_LeafAndRoot_HasNoIntermediates()
    {
        var leaf = _root.IssuePem(_csr.ExportSubjectPublicKeyInfo(), [Identity]);

        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        Assert.Equal(leaf, chain.Leaf.ExportCertificatePem() + "\n");
        Assert.Empty(chain.Intermediates);
        Assert.Equal(_root.Certificate.Thumbprint, Assert.Single(chain.RootBundle).Thumbprint);
        Assert.Equal(leaf, chain.CertificateChainPem());
        Assert.Equal(_root.Pem, chain.RootBundlePem());
    }

    [Fact]
    public void Parse_LeafIntermediateRoot_KeepsTheIntermediateForTlsCrt()
    {
        var leaf = _intermediate.IssuePem(_csr.ExportSubjectPublicKeyInfo(), [Identity]);

        using var chain = IssuedChain.Parse([leaf, _intermediate.Pem, _root.Pem]);

        Assert.Equal(_intermediate.Certificate.Thumbprint, Assert.Single(chain.Intermediates).Thumbprint);
        Assert.Equal(leaf + _intermediate.Pem, chain.CertificateChainPem());
        Assert.Equal(_root.Pem, chain.RootBundlePem());
    }

    [Fact]
    public void Parse_RootRepeatedAmongIntermediates_DropsItThere()
    {
        // Plugged-in cacerts whose cert-chain.pem holds the root make istiod send it in the middle and last.
        var leaf = _intermediate.IssuePem(_csr.ExportSubjectPublicKeyInfo(), [Identity]);

        using var chain = IssuedChain.Parse([leaf, _intermediate.Pem, _root.Pem, _root.Pem]);

        Assert.Equal(_intermediate.Certificate.Thumbprint, Assert.Single(chain.Intermediates).Thumbprint);
        Assert.Equal(leaf + _intermediate.Pem, chain.CertificateChainPem());
    }

    [Fact]
    public void Parse_LastElementHoldingTwoRoots_KeepsBothInTheBundle()
    {
        using var newRoot = TestCa.Root("new root");
        var leaf = _root.IssuePem(_csr.ExportSubjectPublicKeyInfo(), [Identity]);

        using var chain = IssuedChain.Parse([leaf, _root.Pem + newRoot.Pem]);

        Assert.Equal(
            [_root.Certificate.Thumbprint, newRoot.Certificate.Thumbprint],
            chain.RootBundle.Select(c => c.Thumbprint));
        Assert.Equal(_root.Pem + newRoot.Pem, chain.RootBundlePem());
        Assert.Empty(chain.Intermediates);
    }

    [Fact]
    public void Parse_OneElement_IsAnInvalidEmptyCertChain()
    {
        var leaf = _root.IssuePem(_csr.ExportSubjectPublicKeyInfo(), [Identity]);

        var error = Assert.Throws<CertificateVerificationException>(() => IssuedChain.Parse([leaf]));

        Assert.StartsWith("invalid empty CertChain", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoElements_IsAnInvalidEmptyCertChain()
    {
        var error = Assert.Throws<CertificateVerificationException>(() => IssuedChain.Parse([]));

        Assert.StartsWith("invalid empty CertChain", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ElementWithoutCertificate_NamesTheElement()
    {
        var leaf = _root.IssuePem(_csr.ExportSubjectPublicKeyInfo(), [Identity]);

        var error = Assert.Throws<CertificateVerificationException>(() => IssuedChain.Parse([leaf, "not a certificate"]));

        Assert.Equal("cert_chain[1] holds no PEM certificate", error.Message);
    }

    [Fact]
    public void Parse_CertificateBlockThatIsNotDer_NamesTheElement()
    {
        var garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

        var error = Assert.Throws<CertificateVerificationException>(() => IssuedChain.Parse([garbage, _root.Pem]));

        Assert.StartsWith("cert_chain[0] holds a PEM certificate that cannot be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PrivateKeyInAnElement_IsNotEchoed()
    {
        var keyPem = _csr.ExportPrivateKeyPem();

        var error = Assert.Throws<CertificateVerificationException>(() => IssuedChain.Parse([keyPem, _root.Pem]));

        Assert.Equal("cert_chain[0] holds no PEM certificate", error.Message);
    }
}
