using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MeshBridge.Testing;

/// <summary>
/// A stand-in istiod: the grpc-js server <c>tests/MeshBridge.Certificates.Tests/interop/istiod.js</c> serving
/// CreateCertificate over TLS from our protos, signing with the real openssl CLI. The mesh root, its key and istiod's
/// TLS certificate (DNS SANs as istiod's: <c>istiod.&lt;ns&gt;.svc</c>, <c>istiod-remote…</c>, <c>istio-pilot…</c>) are
/// made here with openssl too. Runs <c>npm ci</c> when its packages are missing; a missing node, npm or openssl fails
/// the test with an explanation.
/// </summary>
internal sealed class IstiodStandIn : IAsyncDisposable
{
    public const string IstioNamespace = "istio-system";

    public const string ServerName = "istiod." + IstioNamespace + ".svc";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly DirectoryInfo _directory;
    private Process? _node;

    private IstiodStandIn(DirectoryInfo directory) => _directory = directory;

    public static string InteropFolder => Path.Combine(TeamFolder.RepositoryRoot, "tests", "MeshBridge.Certificates.Tests", "interop");

    /// <summary><c>127.0.0.1:PORT</c>; the certificate does not name it, so callers pass <see cref="ServerName"/>.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>The mesh root (PEM) that signs both istiod's TLS certificate and the workload certificates.</summary>
    public string RootPem => File.ReadAllText(RootPath);

    public string RootPath => Path.Combine(_directory.FullName, "root.crt");

    /// <summary>Another root, which signed nothing this server presents.</summary>
    public string OtherRootPem => File.ReadAllText(Path.Combine(_directory.FullName, "other.crt"));

    /// <summary>The lines the server printed so far ("issued …", "refused …").</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Starts the server. <paramref name="grants"/>: token → identity it authenticates as.</summary>
    /// <param name="grants">Opaque tokens accepted as they are.</param>
    /// <param name="jwtPublicKeyPem">Also accept RS256 JWTs (audience istio-ca) signed by this key, identity from <c>sub</c>.</param>
    /// <param name="trustDomain">The trust domain of identities from JWTs.</param>
    public static async Task<IstiodStandIn> StartAsync(
        IReadOnlyDictionary<string, string> grants, string? jwtPublicKeyPem = null, string trustDomain = "cluster.local")
    {
        var server = new IstiodStandIn(Directory.CreateTempSubdirectory("mb-istiod-"));
        try
        {
            await server.StartCoreAsync(grants, jwtPublicKeyPem, trustDomain);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.StopAsync(_node);

        _directory.Delete(recursive: true);
    }

    /// <summary>Runs the openssl CLI in <paramref name="directory"/>; a non-zero exit throws with its stderr.</summary>
    public static async Task<string> OpensslAsync(string directory, params string[] arguments)
    {
        var (code, stdout, stderr) = await ChildProcess.RunAsync("openssl", directory, arguments, "the real OpenSSL CLI (3.0 or later)", ToolTimeout);
        return code == 0
            ? stdout
            : throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} exited {code}: {stderr}");
    }

    private async Task StartCoreAsync(IReadOnlyDictionary<string, string> grants, string? jwtPublicKeyPem, string trustDomain)
    {
        var dir = _directory.FullName;
        await MakeCertificatesAsync(dir);
        await ChildProcess.EnsureNpmPackagesAsync(InteropFolder, "@grpc/grpc-js", ToolTimeout);
        var arguments = new List<string>
        {
            "istiod.js",
            "--protos", Path.Combine(TeamFolder.RepositoryRoot, "protos"),
            "--tls-cert", Path.Combine(dir, "istiod.crt"),
            "--tls-key", Path.Combine(dir, "istiod.key"),
            "--ca-cert", RootPath,
            "--ca-key", Path.Combine(dir, "root.key"),
            "--work", dir,
            "--trust-domain", trustDomain,
        };
        foreach (var (token, identity) in grants)
        {
            arguments.AddRange(["--grant", $"{token}={identity}"]);
        }

        if (jwtPublicKeyPem is not null)
        {
            var keyPath = Path.Combine(dir, "sa.pub");
            await File.WriteAllTextAsync(keyPath, jwtPublicKeyPem);
            arguments.AddRange(["--jwt-key", keyPath]);
        }

        _node = ChildProcess.Start("node", InteropFolder, arguments, "Node.js 18+");
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_gate)
            {
                _lines.Add(e.Data);
            }

            if (e.Data.StartsWith("listening ", StringComparison.Ordinal))
            {
                listening.TrySetResult(e.Data["listening ".Length..]);
            }
        };
        await ChildProcess.WaitUntilReadyAsync(_node, listening.Task, _stderr, _gate, "The stand-in istiod", StartTimeout);

        Address = "127.0.0.1:" + int.Parse(await listening.Task, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    private static async Task MakeCertificatesAsync(string dir)
    {
        await File.WriteAllTextAsync(Path.Combine(dir, "ca.cnf"), """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            [ca]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            [server]
            subjectAltName = DNS:istiod.istio-system.svc,DNS:istiod-remote.istio-system.svc,DNS:istio-pilot.istio-system.svc
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth,clientAuth
            authorityKeyIdentifier = keyid
            """);
        foreach (var (name, organization) in new[] { ("root", "cluster.local"), ("other", "another mesh") })
        {
            await OpensslAsync(
                dir, "req", "-x509", "-config", "ca.cnf", "-extensions", "ca", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key", "-out", name + ".crt", "-subj", "/O=" + organization, "-days", "2");
        }

        await OpensslAsync(
            dir, "req", "-new", "-config", "ca.cnf", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "istiod.key", "-out", "istiod.csr", "-subj", "/O=istiod");
        await OpensslAsync(
            dir, "x509", "-req", "-in", "istiod.csr", "-CA", "root.crt", "-CAkey", "root.key", "-set_serial", "2", "-days", "1",
            "-extfile", "ca.cnf", "-extensions", "server", "-out", "istiod.crt");
    }
}
