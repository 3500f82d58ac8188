using MeshBridge.Certificates.Tests.Support;

namespace MeshBridge.Certificates.Tests;

/// <summary>
/// Nothing is written unless the leaf chains to the mesh root, names exactly the identity asked for, certifies our
/// key and is valid now (DESIGN.md §3). Each failure names its reason and never holds key material.
/// </summary>
public sealed class ChainVerifierTests : IDisposable
{
    private const string Identity = "spiffe://cluster.local/ns/nginx/sa/nginx-ingress";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ChainVerifier _verifier = new(new ManualTimeProvider(Now));
    private readonly TestCa _root = TestCa.Root("cluster.local");
    private readonly CertificateSigningRequest _csr = CertificateSigningRequest.Create(Identity);

    public void Dispose()
    {
        _csr.Dispose();
        _root.Dispose();
    }

    [Fact]
    public void Verify_LeafOfTheMeshRoot_ReturnsTheThreeFilesAndValidity()
    {
        var leaf = _root.IssuePem(Key, [Identity], Now.AddMinutes(-2), Now.AddHours(24));
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        var verified = _verifier.Verify(chain, _csr, _root.Pem);

        Assert.Equal(leaf, verified.CertificateChainPem);
        Assert.Equal(_csr.ExportPrivateKeyPem(), verified.PrivateKeyPem);
        Assert.Equal(_root.Pem, verified.RootBundlePem);
        Assert.Equal(Identity, verified.SpiffeId);
        Assert.Equal(Now.AddMinutes(-2), verified.NotBefore);
        Assert.Equal(Now.AddHours(24), verified.NotAfter);
    }

    [Fact]
    public void Verify_CertChainStrings_ParsesAndVerifiesInOneStep()
    {
        var leaf = _root.IssuePem(Key, [Identity]);

        var verified = _verifier.Verify([leaf, _root.Pem], _csr, _root.Pem);

        Assert.Equal(leaf, verified.CertificateChainPem);
        Assert.Equal(_root.Pem, verified.RootBundlePem);
    }

    [Fact]
    public void Verify_CertChainStringsOfOneElement_IsAnInvalidEmptyCertChain()
    {
        var leaf = _root.IssuePem(Key, [Identity]);

        var error = Assert.Throws<CertificateVerificationException>(() => _verifier.Verify([leaf], _csr, _root.Pem));

        Assert.StartsWith("invalid empty CertChain", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_IntermediateChain_TlsCrtIsLeafThenIntermediate()
    {
        using var intermediate = _root.Intermediate("istiod intermediate");
        var leaf = intermediate.IssuePem(Key, [Identity]);
        using var chain = IssuedChain.Parse([leaf, intermediate.Pem, _root.Pem]);

        var verified = _verifier.Verify(chain, _csr, _root.Pem);

        Assert.Equal(leaf + intermediate.Pem, verified.CertificateChainPem);
        Assert.Equal(_root.Pem, verified.RootBundlePem);
    }

    [Fact]
    public void Verify_IntermediateLeftOutOfTheResponse_DoesNotChain()
    {
        using var intermediate = _root.Intermediate("istiod intermediate");
        var leaf = intermediate.IssuePem(Key, [Identity]);
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        AssertFails(chain, _root.Pem, "the issued certificate does not chain to the mesh root (O=cluster.local)");
    }

    [Fact]
    public void Verify_RootBundleOfTwoRoots_CaCrtHoldsBoth()
    {
        using var next = TestCa.Root("next root");
        var leaf = _root.IssuePem(Key, [Identity]);
        using var chain = IssuedChain.Parse([leaf, _root.Pem + next.Pem]);

        var verified = _verifier.Verify(chain, _csr, _root.Pem + next.Pem);

        Assert.Equal(_root.Pem + next.Pem, verified.RootBundlePem);
        Assert.Equal(leaf, verified.CertificateChainPem);
    }

    [Fact]
    public void Verify_MeshRootsHoldingOldAndNewRoot_AcceptsALeafOfTheNewOne()
    {
        using var next = TestCa.Root("next root");
        var leaf = next.IssuePem(Key, [Identity]);
        using var chain = IssuedChain.Parse([leaf, next.Pem]);

        var verified = _verifier.Verify(chain, _csr, _root.Pem + next.Pem);

        Assert.Equal(leaf, verified.CertificateChainPem);
    }

    [Fact]
    public void Verify_LeafOfAnotherRoot_DoesNotChainEvenIfTheResponseSendsThatRoot()
    {
        using var other = TestCa.Root("other");
        var leaf = other.IssuePem(Key, [Identity]);
        using var chain = IssuedChain.Parse([leaf, other.Pem]);

        AssertFails(chain, _root.Pem, "the issued certificate does not chain to the mesh root (O=cluster.local)");
    }

    [Fact]
    public void Verify_RootWithTheMeshRootsNameButAnotherKey_DoesNotChain()
    {
        using var impostor = TestCa.Root("cluster.local");
        var leaf = impostor.IssuePem(Key, [Identity]);
        using var chain = IssuedChain.Parse([leaf, impostor.Pem]);

        AssertFails(chain, _root.Pem, "the issued certificate does not chain to the mesh root");
    }

    [Fact]
    public void Verify_AnotherIdentity_NamesBoth()
    {
        var leaf = _root.IssuePem(Key, ["spiffe://cluster.local/ns/default/sa/default"]);
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        AssertFails(
            chain,
            _root.Pem,
            $"URI SAN spiffe://cluster.local/ns/default/sa/default is not the identity asked for {Identity}");
    }

    [Fact]
    public void Verify_TwoUriSans_IsNotExactlyTheIdentity()
    {
        var leaf = _root.IssuePem(Key, [Identity, "spiffe://cluster.local/ns/default/sa/default"]);
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        AssertFails(
            chain,
            _root.Pem,
            $"the issued certificate has 2 URI SANs ({Identity}, spiffe://cluster.local/ns/default/sa/default); " +
            $"expected exactly the identity asked for {Identity}");
    }

    [Fact]
    public void Verify_NoUriSan_Fails()
    {
        var leaf = _root.IssuePem(Key, []);
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        AssertFails(chain, _root.Pem, $"the issued certificate has no URI SAN; expected exactly the identity asked for {Identity}");
    }

    [Fact]
    public void Verify_LeafForAnotherKey_DoesNotMatchTheCsrKey()
    {
        using var other = CertificateSigningRequest.Create(Identity);
        var leaf = _root.IssuePem(other.ExportSubjectPublicKeyInfo(), [Identity]);
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        AssertFails(chain, _root.Pem, "public key does not match the CSR key");
    }

    [Fact]
    public void Verify_ExpiredLeaf_SaysWhen()
    {
        var leaf = _root.IssuePem(Key, [Identity], Now.AddDays(-2), Now.AddSeconds(-1));
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        AssertFails(chain, _root.Pem, "the issued certificate expired at 2025-12-31T23:59:59Z (now 2026-01-01T00:00:00Z)");
    }

    [Fact]
    public void Verify_LeafNotYetValid_PointsAtTheClocks()
    {
        var leaf = _root.IssuePem(Key, [Identity], Now.AddMinutes(5), Now.AddDays(1));
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        AssertFails(chain, _root.Pem, "the issued certificate is not valid before 2026-01-01T00:05:00Z (now 2026-01-01T00:00:00Z)");
    }

    [Fact]
    public void Verify_LeafExpiringExactlyNow_CountsAsExpired()
    {
        var leaf = _root.IssuePem(Key, [Identity], Now.AddDays(-1), Now);
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        AssertFails(chain, _root.Pem, "the issued certificate expired at 2026-01-01T00:00:00Z");
    }

    [Fact]
    public void Verify_LeafValidFromExactlyNow_IsAccepted()
    {
        var leaf = _root.IssuePem(Key, [Identity], Now, Now.AddDays(1));
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        Assert.Equal(Now, _verifier.Verify(chain, _csr, _root.Pem).NotBefore);
    }

    [Fact]
    public void Verify_NoMeshRoot_Fails()
    {
        var leaf = _root.IssuePem(Key, [Identity]);
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        AssertFails(chain, "", "the mesh root (root-cert.pem of istio-ca-root-cert) holds no PEM certificate");
    }

    [Fact]
    public void VerifiedCertificate_ToString_NeverShowsTheKey()
    {
        var leaf = _root.IssuePem(Key, [Identity]);
        using var chain = IssuedChain.Parse([leaf, _root.Pem]);

        var text = _verifier.Verify(chain, _csr, _root.Pem).ToString();

        Assert.Contains(Identity, text, StringComparison.Ordinal);
        Assert.DoesNotContain(CertificateSigningRequestTests.KeyBody(_csr.ExportPrivateKeyPem()), text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
    }

    private byte[] Key => _csr.ExportSubjectPublicKeyInfo();

    private void AssertFails(IssuedChain chain, string meshRootsPem, string expectedStart)
    {
        var error = Assert.Throws<CertificateVerificationException>(() => _verifier.Verify(chain, _csr, meshRootsPem));

        Assert.StartsWith(expectedStart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CertificateSigningRequestTests.KeyBody(_csr.ExportPrivateKeyPem()), error.Message, StringComparison.Ordinal);
    }
}
