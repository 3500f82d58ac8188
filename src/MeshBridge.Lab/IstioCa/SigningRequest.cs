using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Lab.IstioCa;

/// <summary>
/// A PEM CSR as the CA reads it: parsed, self-signature checked, and its names and extensions laid out for the
/// istio-csr rules. istiod keeps only <see cref="PublicKey"/>; istio-csr judges everything else too.
/// </summary>
internal sealed class SigningRequest
{
    private const string SubjectAltNameOid = "2.5.29.17";
    private const string KeyUsageOid = "2.5.29.15";
    private const string ExtendedKeyUsageOid = "2.5.29.37";

    private static readonly Asn1Tag EmailTag = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag DnsTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);
    private static readonly Asn1Tag IpTag = new(TagClass.ContextSpecific, 7);

    private SigningRequest(CertificateRequest request) => Request = request;

    public CertificateRequest Request { get; }

    public PublicKey PublicKey => Request.PublicKey;

    /// <summary>Parses and checks the signature; istiod answers a bad CSR with INVALID_ARGUMENT.</summary>
    /// <exception cref="IstioCaStatusException">The CSR is not PEM, not a CSR, or its signature does not verify.</exception>
    public static SigningRequest Parse(string pem)
    {
        // Two loads keep istiod's two errors apart (util.ParsePemEncodedCSR, then csr.CheckSignature).
        var extensions = CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions;
        try
        {
            CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, extensions | CertificateRequestLoadOptions.SkipSignatureValidation);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new IstioCaStatusException(Grpc.StatusCode.InvalidArgument, "CSR signing error (CSR parsing error)");
        }

        try
        {
            return new SigningRequest(CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, extensions));
        }
        catch (CryptographicException)
        {
            throw new IstioCaStatusException(Grpc.StatusCode.InvalidArgument, "CSR signing error (CSR signature verification error)");
        }
    }

    /// <summary>
    /// istio-csr's <c>identitiesMatch</c> and extension check (<c>pkg/server/auth.go</c>,
    /// <c>internal/extensions</c>): the reason the CSR is refused, or null when it may be signed.
    /// </summary>
    public string? IstioCsrRefusal(string identity)
    {
        if (Request.SubjectName.EnumerateRelativeDistinguishedNames().Any(r => r.GetSingleElementType().Value == "2.5.4.3"))
        {
            return "CSR has a subject common name";
        }

        var uris = new List<string>();
        foreach (var extension in Request.CertificateExtensions)
        {
            switch (extension.Oid?.Value)
            {
                case SubjectAltNameOid:
                    if (!ReadNames(extension.RawData, uris))
                    {
                        return "CSR has DNS, IP or email SANs";
                    }

                    break;
                case KeyUsageOid:
                    var usages = new X509KeyUsageExtension(extension, extension.Critical).KeyUsages;
                    if ((usages & ~(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment)) != 0)
                    {
                        return "CSR asks for key usages beyond digitalSignature and keyEncipherment";
                    }

                    break;
                case ExtendedKeyUsageOid:
                    var purposes = new X509EnhancedKeyUsageExtension(extension, extension.Critical).EnhancedKeyUsages;
                    if (purposes.Cast<Oid>().Any(o => o.Value is not ("1.3.6.1.5.5.7.3.1" or "1.3.6.1.5.5.7.3.2")))
                    {
                        return "CSR asks for extended key usages beyond serverAuth and clientAuth";
                    }

                    break;
                default:
                    return $"CSR carries the forbidden extension {extension.Oid?.Value}";
            }
        }

        return uris.Count == 1 && uris[0] == identity ? null : "CSR URI SANs do not match the caller identity";
    }

    /// <summary>Collects URI SANs; false when any DNS, IP or email SAN (or unreadable DER) is present.</summary>
    private static bool ReadNames(byte[] der, List<string> uris)
    {
        try
        {
            var names = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                var tag = names.PeekTag();
                if (tag.HasSameClassAndValue(UriTag))
                {
                    uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                    continue;
                }

                if (tag.HasSameClassAndValue(DnsTag) || tag.HasSameClassAndValue(IpTag) || tag.HasSameClassAndValue(EmailTag))
                {
                    return false;
                }

                names.ReadEncodedValue();
            }

            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
