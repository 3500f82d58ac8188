namespace MeshBridge.Certificates.Tests.Support;

/// <summary>
/// A CA made and run by the OpenSSL CLI, so verification is tested against certificates .NET did not make. Like
/// istiod it signs a CSR taking only its public key (<c>openssl x509 -req</c> copies no CSR extensions) and writes
/// the SANs itself: a critical URI SAN, KeyUsage and serverAuth+clientAuth.
/// </summary>
internal sealed class OpensslCa
{
    private const string CaConfig = """
        [req]
        distinguished_name = dn
        prompt = no
        [dn]
        [ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        """;

    private readonly TempDirectory _dir;
    private readonly string _name;

    private OpensslCa(TempDirectory dir, string name)
    {
        _dir = dir;
        _name = name;
    }

    public string Pem => _dir.Read(_name + ".crt");

    /// <summary>A self-signed P-256 root, valid from now for two days.</summary>
    public static async Task<OpensslCa> RootAsync(TempDirectory dir, string name)
    {
        dir.Write("ca.cnf", CaConfig);
        await Openssl.RunAsync(
            dir.Path, "req", "-x509", "-config", "ca.cnf", "-extensions", "ca", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key", "-out", name + ".crt",
            "-subj", "/O=" + name, "-days", "2");
        return new OpensslCa(dir, name);
    }

    /// <summary>An intermediate CA signed by this one.</summary>
    public async Task<OpensslCa> IntermediateAsync(string name)
    {
        await Openssl.RunAsync(
            _dir.Path, "req", "-new", "-config", "ca.cnf", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/O=" + name);
        await Openssl.RunAsync(
            _dir.Path, "x509", "-req", "-in", name + ".csr", "-CA", _name + ".crt", "-CAkey", _name + ".key",
            "-set_serial", "2", "-days", "2", "-extfile", "ca.cnf", "-extensions", "ca", "-out", name + ".crt");
        return new OpensslCa(_dir, name);
    }

    /// <summary>Signs <paramref name="csrPem"/> for <paramref name="spiffeId"/>, whatever the CSR asked for.</summary>
    public async Task<string> SignAsync(string csrPem, string spiffeId)
    {
        _dir.Write("leaf.csr", csrPem);
        _dir.Write("leaf.ext", $"""
            [leaf]
            subjectAltName = critical,URI:{spiffeId}
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth,clientAuth
            basicConstraints = critical,CA:FALSE
            authorityKeyIdentifier = keyid
            """);
        await Openssl.RunAsync(
            _dir.Path, "x509", "-req", "-in", "leaf.csr", "-CA", _name + ".crt", "-CAkey", _name + ".key",
            "-set_serial", "3", "-days", "1", "-extfile", "leaf.ext", "-extensions", "leaf", "-out", "leaf.crt");
        return _dir.Read("leaf.crt");
    }
}
