using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Certificates;

/// <summary>
/// The <c>cert_chain</c> of an <c>IstioCertificateResponse</c>, split the way istio-agent reads it
/// (reference/istio.md §1): the leaf is element 0, the trust bundle is the last element (istiod does not flatten it,
/// so it may hold several roots), and the elements between are intermediates. istiod with plugged-in
/// <c>cacerts</c> may repeat the root among them; self-signed certificates are dropped from the intermediates so
/// that <c>tls.crt</c> holds only what a peer needs to build the path.
/// </summary>
public sealed class IssuedChain : IDisposable
{
    private IssuedChain(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates, IReadOnlyList<X509Certificate2> rootBundle)
    {
        Leaf = leaf;
        Intermediates = intermediates;
        RootBundle = rootBundle;
    }

    /// <summary>The issued certificate (the first certificate of element 0).</summary>
    public X509Certificate2 Leaf { get; }

    /// <summary>The certificates between the leaf and the root bundle that are not self-signed, in response order.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>Every certificate of the last element, the CA's trust bundle, for <c>ca.crt</c>.</summary>
    public IReadOnlyList<X509Certificate2> RootBundle { get; }

    /// <summary>Parses a CA response's <c>cert_chain</c>.</summary>
    /// <exception cref="CertificateVerificationException">
    /// The chain has fewer than two elements (istio-agent: "invalid empty CertChain") or an element holds no PEM
    /// certificate or an unreadable one.
    /// </exception>
    public static IssuedChain Parse(IReadOnlyList<string> certChain)
    {
        ArgumentNullException.ThrowIfNull(certChain);
        if (certChain.Count <= 1)
        {
            throw new CertificateVerificationException(
                $"invalid empty CertChain: the CA returned {certChain.Count} element(s); a leaf and a root are required");
        }

        var parsed = new List<X509Certificate2>();
        IssuedChain? chain = null;
        try
        {
            var elements = new List<List<X509Certificate2>>(certChain.Count);
            for (var i = 0; i < certChain.Count; i++)
            {
                var certificates = ReadPemCertificates(certChain[i], $"cert_chain[{i}]");
                parsed.AddRange(certificates);
                elements.Add(certificates);
            }

            // Extra certificates after the leaf in element 0 are treated like intermediates, because istio-agent
            // serves the concatenation of all elements anyway.
            var leaf = elements[0][0];
            var middle = elements[0].Skip(1).Concat(elements.Skip(1).Take(elements.Count - 2).SelectMany(e => e));
            var intermediates = middle.Where(c => !IsSelfSigned(c)).ToList();
            chain = new IssuedChain(leaf, intermediates, elements[^1]);
            return chain;
        }
        finally
        {
            // Whatever the chain does not keep (dropped self-signed intermediates, or all on failure) is released.
            // By reference: X509Certificate2.Equals compares issuer and serial, and a root may appear twice.
            var kept = new HashSet<X509Certificate2>(ReferenceEqualityComparer.Instance);
            if (chain is not null)
            {
                kept.UnionWith(chain.Intermediates.Concat(chain.RootBundle).Append(chain.Leaf));
            }

            foreach (var certificate in parsed.Where(c => !kept.Contains(c)))
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>Reads every <c>CERTIFICATE</c> PEM block of <paramref name="pem"/>; other blocks are ignored.</summary>
    /// <exception cref="CertificateVerificationException">No certificate, or one that does not parse.</exception>
    internal static List<X509Certificate2> ReadPemCertificates(string? pem, string what)
    {
        var certificates = new List<X509Certificate2>();
        try
        {
            var rest = (pem ?? "").AsMemory();
            while (PemEncoding.TryFind(rest.Span, out var fields))
            {
                if (rest.Span[fields.Label].SequenceEqual("CERTIFICATE"))
                {
                    var der = Convert.FromBase64String(rest.Span[fields.Base64Data].ToString());
                    certificates.Add(X509CertificateLoader.LoadCertificate(der));
                }

                rest = rest[fields.Location.End..];
            }
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }

            // The exception text of a parser may quote input; only its type is kept.
            throw new CertificateVerificationException($"{what} holds a PEM certificate that cannot be read ({e.GetType().Name})");
        }

        return certificates.Count > 0
            ? certificates
            : throw new CertificateVerificationException($"{what} holds no PEM certificate");
    }

    /// <summary>The leaf and the intermediates as PEM, for <c>tls.crt</c> (the leaf first, as TLS sends it).</summary>
    public string CertificateChainPem() => ToPem([Leaf, .. Intermediates]);

    /// <summary>The root bundle as PEM, for <c>ca.crt</c>.</summary>
    public string RootBundlePem() => ToPem(RootBundle);

    public void Dispose()
    {
        Leaf.Dispose();
        foreach (var certificate in Intermediates.Concat(RootBundle))
        {
            certificate.Dispose();
        }
    }

    /// <summary>
    /// Self-signed by name: istio-agent's rule is to drop roots from the middle, and a root is the certificate whose
    /// issuer is its own subject. A cross-signed intermediate has another issuer and stays.
    /// </summary>
    internal static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    internal static string ToPem(IEnumerable<X509Certificate2> certificates) =>
        string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));
}
