using System.Text.RegularExpressions;
using MeshBridge.Certificates.Tests.Support;

namespace MeshBridge.Certificates.Tests;

/// <summary>
/// The CSR must pass cert-manager istio-csr's strict checks (reference/istio.md §9); OpenSSL, not .NET, reads it back.
/// </summary>
public sealed partial class CertificateSigningRequestTests : IDisposable
{
    private const string Identity = "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Pem_IsReadByOpenssl_SignatureVerifies()
    {
        using var csr = CertificateSigningRequest.Create(Identity);
        _dir.Write("csr.pem", csr.Pem);

        var result = await Openssl.TryRunAsync(_dir.Path, "req", "-in", "csr.pem", "-noout", "-verify");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("verify OK", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pem_HasEmptySubject()
    {
        using var csr = CertificateSigningRequest.Create(Identity);
        _dir.Write("csr.pem", csr.Pem);

        var subject = await Openssl.RunAsync(_dir.Path, "req", "-in", "csr.pem", "-noout", "-subject", "-nameopt", "RFC2253");

        Assert.Equal("subject=", subject.Trim());
    }

    [Fact]
    public async Task Pem_WithoutUsages_HasOnlyTheCriticalUriSan()
    {
        using var csr = CertificateSigningRequest.Create(Identity);
        _dir.Write("csr.pem", csr.Pem);

        var text = await Openssl.RunAsync(_dir.Path, "req", "-in", "csr.pem", "-noout", "-text");

        Assert.Equal(["X509v3 Subject Alternative Name: critical"], RequestedExtensions(text));
        Assert.Matches(@"X509v3 Subject Alternative Name: critical\s+URI:" + Regex.Escape(Identity) + @"\s*\n", text);
        Assert.DoesNotContain("DNS:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("IP Address:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Basic Constraints", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pem_WithUsages_AddsOnlyKeyUsageAndExtKeyUsage()
    {
        using var csr = CertificateSigningRequest.Create(Identity, requestUsages: true);
        _dir.Write("csr.pem", csr.Pem);

        var text = await Openssl.RunAsync(_dir.Path, "req", "-in", "csr.pem", "-noout", "-text");

        Assert.Equal(
            ["X509v3 Extended Key Usage:", "X509v3 Key Usage: critical", "X509v3 Subject Alternative Name: critical"],
            RequestedExtensions(text).Order(StringComparer.Ordinal));
        Assert.Matches(@"X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\s*\n", text);
        Assert.Matches(@"X509v3 Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication\s*\n", text);
        Assert.Matches(@"URI:" + Regex.Escape(Identity) + @"\s*\n", text);
    }

    [Fact]
    public async Task Pem_KeyIsEcdsaPrime256v1()
    {
        using var csr = CertificateSigningRequest.Create(Identity);
        _dir.Write("csr.pem", csr.Pem);

        var text = await Openssl.RunAsync(_dir.Path, "req", "-in", "csr.pem", "-noout", "-text");

        Assert.Contains("Public Key Algorithm: id-ecPublicKey", text, StringComparison.Ordinal);
        Assert.Contains("ASN1 OID: prime256v1", text, StringComparison.Ordinal);
        Assert.Contains("Signature Algorithm: ecdsa-with-SHA256", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportPrivateKeyPem_IsPkcs8_AndBelongsToTheCsr()
    {
        using var csr = CertificateSigningRequest.Create(Identity);
        var keyPem = csr.ExportPrivateKeyPem();
        _dir.Write("csr.pem", csr.Pem);
        _dir.Write("key.pem", keyPem);

        var fromKey = await Openssl.RunAsync(_dir.Path, "pkey", "-in", "key.pem", "-pubout");
        var fromCsr = await Openssl.RunAsync(_dir.Path, "req", "-in", "csr.pem", "-noout", "-pubkey");

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", keyPem, StringComparison.Ordinal);
        Assert.Equal(fromCsr, fromKey);
    }

    [Fact]
    public void Create_TwiceForOneIdentity_MakesTwoKeys()
    {
        using var first = CertificateSigningRequest.Create(Identity);
        using var second = CertificateSigningRequest.Create(Identity);

        Assert.NotEqual(first.ExportSubjectPublicKeyInfo(), second.ExportSubjectPublicKeyInfo());
    }

    [Theory]
    [InlineData("")]
    [InlineData("cluster.local/ns/a/sa/b")]
    [InlineData("https://cluster.local/ns/a/sa/b")]
    [InlineData("spiffe:///ns/a/sa/b")]
    [InlineData("spiffe://Cluster.Local/ns/a/sa/b")]
    public void Create_NotACanonicalSpiffeId_Throws(string spiffeId) =>
        Assert.ThrowsAny<ArgumentException>(() => CertificateSigningRequest.Create(spiffeId));

    [Fact]
    public void ToString_NeverShowsTheKey()
    {
        using var csr = CertificateSigningRequest.Create(Identity);

        var text = csr.ToString();

        Assert.Contains(Identity, text, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyBody(csr.ExportPrivateKeyPem()), text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
    }

    /// <summary>The base64 of a PEM key without armour or line breaks, to search other text for.</summary>
    internal static string KeyBody(string keyPem) =>
        string.Concat(keyPem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)))[..40];

    /// <summary>The extension headers under "Requested Extensions:" in <c>openssl req -text</c>.</summary>
    private static List<string> RequestedExtensions(string text)
    {
        var start = text.IndexOf("Requested Extensions:", StringComparison.Ordinal);
        Assert.True(start >= 0, "openssl shows no Requested Extensions:\n" + text);
        var end = text.IndexOf("Signature Algorithm:", start, StringComparison.Ordinal);
        return ExtensionHeader().Matches(text[start..end]).Select(m => m.Value.Trim()).ToList();
    }

    [GeneratedRegex(@"^[ ]+(X509v3 [^:\n]+|[0-9.]+):( critical)?[ ]*$", RegexOptions.Multiline)]
    private static partial Regex ExtensionHeader();
}
