using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Certificates;

/// <summary>
/// Checks a CA answer before anything is written (DESIGN.md §3): a certificate that does not chain to the mesh root,
/// names another identity, or holds another key would make every upstream handshake fail, and writing it would
/// replace a working certificate with a broken one. istiod overwrites the CSR's SANs with the caller's authenticated
/// identity (reference/istio.md §2), so a token for the wrong service account shows up here, as a SAN mismatch.
/// </summary>
/// <param name="time">The clock the chain and validity are judged at.</param>
public sealed class ChainVerifier(TimeProvider time)
{
    /// <summary>
    /// Parses and verifies a CA response's <c>cert_chain</c> in one step, for callers that keep nothing but the result.
    /// </summary>
    /// <exception cref="CertificateVerificationException">The chain is malformed or the certificate unusable.</exception>
    public VerifiedCertificate Verify(IReadOnlyList<string> certChain, CertificateSigningRequest request, string meshRootsPem)
    {
        using var chain = IssuedChain.Parse(certChain);
        return Verify(chain, request, meshRootsPem);
    }

    /// <summary>
    /// Verifies <paramref name="chain"/> as the answer to <paramref name="request"/> and returns what to write.
    /// </summary>
    /// <param name="chain">The parsed <c>cert_chain</c>.</param>
    /// <param name="request">The CSR the CA answered, holding the private key.</param>
    /// <param name="meshRootsPem">
    /// The roots we trust: <c>root-cert.pem</c> of the <c>istio-ca-root-cert</c> ConfigMap (one or more PEM
    /// certificates; during a root rotation it holds the old and the new root). The CA's own bundle is not trusted for
    /// this: it came over the same channel as the leaf.
    /// </param>
    /// <exception cref="CertificateVerificationException">The reason the certificate is unusable.</exception>
    public VerifiedCertificate Verify(IssuedChain chain, CertificateSigningRequest request, string meshRootsPem)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Verify(
            chain,
            request.SpiffeId,
            request.ExportSubjectPublicKeyInfo,
            $"public key does not match the CSR key: the issued certificate (serial {chain?.Leaf.SerialNumber}) certifies another key",
            request.ExportPrivateKeyPem(),
            meshRootsPem);
    }

    /// <summary>
    /// Verifies a certificate and key handed over whole (an SDS server's <c>default</c> secret): the leaf names
    /// <paramref name="spiffeId"/>, certifies <paramref name="privateKeyPem"/>'s key, is valid now and chains to
    /// <paramref name="meshRootsPem"/>.
    /// </summary>
    /// <exception cref="CertificateVerificationException">The reason the certificate is unusable.</exception>
    public VerifiedCertificate Verify(IssuedChain chain, string spiffeId, string privateKeyPem, string meshRootsPem)
    {
        ArgumentException.ThrowIfNullOrEmpty(spiffeId);
        ArgumentNullException.ThrowIfNull(privateKeyPem);
        return Verify(
            chain, spiffeId, () => PublicKeyOf(privateKeyPem), $"the private key does not belong to the certificate (serial {chain?.Leaf.SerialNumber})", privateKeyPem, meshRootsPem);
    }

    /// <summary>Both checks in one order: identity, key, validity, chain to the mesh root; then what to write.</summary>
    private VerifiedCertificate Verify(IssuedChain? chain, string spiffeId, Func<byte[]> subjectPublicKeyInfo, string keyMismatch, string privateKeyPem, string meshRootsPem)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var leaf = chain.Leaf;
        var now = time.GetUtcNow();
        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());

        CheckIdentity(leaf, spiffeId);

        // DER is canonical, so the same named-curve key encodes to the same SubjectPublicKeyInfo bytes.
        if (!leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(subjectPublicKeyInfo()))
        {
            throw new CertificateVerificationException(keyMismatch);
        }

        CheckValidity(now, notBefore, notAfter);
        CheckChain(chain, meshRootsPem, now);
        return new VerifiedCertificate(spiffeId, chain.CertificateChainPem(), privateKeyPem, chain.RootBundlePem(), notBefore, notAfter);
    }

    /// <summary>The SubjectPublicKeyInfo of an EC or RSA private key in PEM (PKCS#8 as SPIRE sends it, or SEC1/PKCS#1).</summary>
    private static byte[] PublicKeyOf(string privateKeyPem)
    {
        try
        {
            using var ec = System.Security.Cryptography.ECDsa.Create();
            ec.ImportFromPem(privateKeyPem);
            return ec.ExportSubjectPublicKeyInfo();
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            try
            {
                using var rsa = System.Security.Cryptography.RSA.Create();
                rsa.ImportFromPem(privateKeyPem);
                return rsa.ExportSubjectPublicKeyInfo();
            }
            catch (Exception inner) when (inner is System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                // The parser's text may quote the key: only the kind of failure is said.
                throw new CertificateVerificationException("the private key is neither a readable EC nor RSA key in PEM");
            }
        }
    }

    private static void CheckIdentity(X509Certificate2 leaf, string expected)
    {
        var uris = SubjectAlternativeNames.Uris(leaf);
        if (uris.Count == 1 && string.Equals(uris[0], expected, StringComparison.Ordinal))
        {
            return;
        }

        throw new CertificateVerificationException(uris.Count switch
        {
            0 => $"the issued certificate has no URI SAN; expected exactly the identity asked for {expected}",
            1 => $"URI SAN {uris[0]} is not the identity asked for {expected}",
            _ => $"the issued certificate has {uris.Count} URI SANs ({string.Join(", ", uris)}); expected exactly the identity asked for {expected}",
        });
    }

    private static void CheckValidity(DateTimeOffset now, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        // At NotAfter itself the certificate counts as expired, as X509Chain (OpenSSL) judges it too.
        if (now >= notAfter)
        {
            throw new CertificateVerificationException($"the issued certificate expired at {Format(notAfter)} (now {Format(now)})");
        }

        // istiod back-dates NotBefore by two minutes for clock skew; a later one means our clock or the CA's is off.
        if (now < notBefore)
        {
            throw new CertificateVerificationException(
                $"the issued certificate is not valid before {Format(notBefore)} (now {Format(now)}); check the clocks of the CA and this node");
        }
    }

    private static void CheckChain(IssuedChain chain, string meshRootsPem, DateTimeOffset now)
    {
        var roots = IssuedChain.ReadPemCertificates(meshRootsPem, "the mesh root (root-cert.pem of istio-ca-root-cert)");
        try
        {
            using var x509Chain = new X509Chain();
            var policy = x509Chain.ChainPolicy;
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(roots.ToArray());
            policy.ExtraStore.AddRange(chain.Intermediates.ToArray());

            // Mesh certificates carry no CRL or OCSP endpoints, and the controller must not fetch anything the CA
            // did not send (AIA downloads would reach out of the cluster).
            policy.RevocationMode = X509RevocationMode.NoCheck;
            policy.DisableCertificateDownloads = true;
            policy.VerificationTime = now.UtcDateTime;
            policy.VerificationTimeIgnored = false;
            if (!x509Chain.Build(chain.Leaf))
            {
                var reasons = x509Chain.ChainStatus
                    .Select(s => $"{s.Status}: {s.StatusInformation.Trim()}")
                    .Distinct()
                    .ToList();
                var subjects = string.Join("; ", roots.Select(r => r.Subject));
                throw new CertificateVerificationException(
                    $"the issued certificate does not chain to the mesh root ({subjects}): {string.Join("; ", reasons)}");
            }
        }
        finally
        {
            foreach (var root in roots)
            {
                root.Dispose();
            }
        }
    }

    private static string Format(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
