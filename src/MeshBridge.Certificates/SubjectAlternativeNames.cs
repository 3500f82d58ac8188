using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Certificates;

/// <summary>
/// Reads the URI SANs of a certificate, which .NET's <see cref="X509SubjectAlternativeNameExtension"/> does not expose
/// (it enumerates only DNS names and IP addresses). A SPIFFE identity lives in exactly such a URI SAN.
/// </summary>
public static class SubjectAlternativeNames
{
    private const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>GeneralName <c>uniformResourceIdentifier [6] IA5String</c> (RFC 5280 §4.2.1.6).</summary>
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <exception cref="CertificateVerificationException">The SAN extension is not valid DER.</exception>
    public static List<string> Uris(X509Certificate2 certificate)
    {
        var uris = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            try
            {
                var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
                while (names.HasData)
                {
                    if (names.PeekTag().HasSameClassAndValue(UriTag))
                    {
                        uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                    }
                    else
                    {
                        names.ReadEncodedValue();
                    }
                }
            }
            catch (Exception e) when (e is AsnContentException or CryptographicException)
            {
                throw new CertificateVerificationException("the issued certificate's subjectAltName extension cannot be read", e);
            }
        }

        return uris;
    }
}
