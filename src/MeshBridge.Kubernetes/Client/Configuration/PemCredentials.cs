using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// PEM parsing for trust bundles and client key pairs, as Go's crypto/tls does it for client-go: certificates must be
/// PEM, keys may be RSA or EC in PKCS#1 (<c>RSA PRIVATE KEY</c>), PKCS#8 (<c>PRIVATE KEY</c>) or SEC1
/// (<c>EC PRIVATE KEY</c>), and encrypted keys are refused (tls.X509KeyPair cannot decrypt them either).
/// Errors name the field only: a key, even a broken one, never reaches a message.
/// </summary>
internal static class PemCredentials
{
    /// <summary>Builds the exception for a field and a reason.</summary>
    public delegate KubeConfigException FieldError(string field, string reason, Exception? inner);

    /// <summary>Every certificate in a bundle (a CA file may hold several, e.g. old and new root during rotation).</summary>
    public static X509Certificate2Collection CertificateAuthorities(string pem, string field, FieldError error)
    {
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw error(field, "not a valid PEM certificate bundle", e);
        }

        return bundle.Count > 0 ? bundle : throw error(field, "no PEM certificate found", null);
    }

    /// <summary>The first certificate of <paramref name="certificatePem"/> joined with its private key.</summary>
    public static X509Certificate2 ClientCertificate(
        string certificatePem, string certificateField, string keyPem, string keyField, FieldError error)
    {
        try
        {
            using var publicOnly = X509Certificate2.CreateFromPem(certificatePem);
        }
        catch (CryptographicException e)
        {
            throw error(certificateField, "no valid PEM certificate found", e);
        }

        if (keyPem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal) || keyPem.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            throw error(keyField, "encrypted private keys are not supported (client-go refuses them too)", null);
        }

        if (!HasSupportedKeyLabel(keyPem))
        {
            throw error(keyField, "no RSA or EC private key found (PEM 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY')", null);
        }

        try
        {
            return X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // The inner exception is dropped on purpose: it adds nothing a reader can act on and it is about key material.
            throw error(keyField, $"the private key is malformed or does not match the {certificateField} certificate", null);
        }
    }

    private static bool HasSupportedKeyLabel(string pem)
    {
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            if (label is "PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY")
            {
                return true;
            }

            rest = rest[fields.Location.End..];
        }

        return false;
    }
}
