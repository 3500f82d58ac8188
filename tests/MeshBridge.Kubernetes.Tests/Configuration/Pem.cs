using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>PEM text of test certificates and keys in each encoding a kubeconfig may hold.</summary>
internal static class Pem
{
    public static string Certificate(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    /// <summary>PKCS#8 ("PRIVATE KEY") for any key.</summary>
    public static string Pkcs8Key(X509Certificate2 certificate) => certificate.GetRSAPrivateKey() is { } rsa
        ? rsa.ExportPkcs8PrivateKeyPem() + "\n"
        : certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n";

    /// <summary>PKCS#1 ("RSA PRIVATE KEY") for RSA, SEC1 ("EC PRIVATE KEY") for EC: the traditional forms openssl writes.</summary>
    public static string TraditionalKey(X509Certificate2 certificate) => certificate.GetRSAPrivateKey() is { } rsa
        ? rsa.ExportRSAPrivateKeyPem() + "\n"
        : certificate.GetECDsaPrivateKey()!.ExportECPrivateKeyPem() + "\n";

    public static string EncryptedKey(X509Certificate2 certificate) =>
        certificate.GetECDsaPrivateKey()!.ExportEncryptedPkcs8PrivateKeyPem(
            "secret", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000)) + "\n";
}
