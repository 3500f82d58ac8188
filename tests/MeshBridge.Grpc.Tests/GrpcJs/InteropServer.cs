using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace MeshBridge.Grpc.Tests.GrpcJs;

/// <summary>
/// Runs the grpc-js server in <c>interop/</c> (real gRPC software nobody here wrote) on cleartext TCP, a Unix socket
/// and TLS with a test CA made here. Installs its npm packages with <c>npm ci</c> when they are missing, so
/// <c>dotnet test</c> alone works in a fresh clone.
/// </summary>
public sealed partial class InteropServer : IAsyncLifetime
{
    /// <summary>The DNS name in the TLS server certificate (the address is 127.0.0.1, which the certificate does not name).</summary>
    public const string ServerName = "interop.meshbridge.test";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<(string Line, TaskCompletionSource Seen)> _waiters = [];
    private readonly System.Text.StringBuilder _stderr = new();
    private DirectoryInfo? _directory;
    private Process? _node;

    public int TcpPort { get; private set; }

    public int TlsPort { get; private set; }

    public string SocketPath { get; private set; } = string.Empty;

    /// <summary>The CA that issued the server certificate.</summary>
    public X509Certificate2 Root { get; private set; } = null!;

    /// <summary>A CA that issued nothing the server presents.</summary>
    public X509Certificate2 OtherRoot { get; private set; } = null!;

    public Uri TcpAddress => new($"http://127.0.0.1:{TcpPort}");

    public Uri TlsAddress => new($"https://127.0.0.1:{TlsPort}");

    public Uri SocketAddress => new($"unix://{SocketPath}");

    public static string InteropFolder => Path.Combine(TeamFolder.RepositoryRoot, "tests", "MeshBridge.Grpc.Tests", "interop");

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("mb-grpc-");
        SocketPath = Path.Combine(_directory.FullName, "sds.sock");
        var (certificatePath, keyPath) = WriteServerCertificate(_directory.FullName);

        await ChildProcess.EnsureNpmPackagesAsync(InteropFolder, "@grpc/grpc-js", NpmTimeout);
        _node = ChildProcess.Start("node", InteropFolder, [
            "server.js",
            "--protos", Path.Combine(TeamFolder.RepositoryRoot, "protos"),
            "--uds", SocketPath,
            "--tls-cert", certificatePath,
            "--tls-key", keyPath,
        ], "Node.js 18+ with npm");
        _node.OutputDataReceived += (_, e) => OnLine(e.Data);
        _node.ErrorDataReceived += (_, e) =>
        {
            lock (_gate)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        var listening = WaitForLinePrefixAsync("listening ");
        _node.BeginOutputReadLine();
        _node.BeginErrorReadLine();

        var exited = _node.WaitForExitAsync();
        var first = await Task.WhenAny(listening, exited).WaitAsync(StartTimeout);
        if (first == exited)
        {
            throw new InvalidOperationException($"The grpc-js interop server exited with {_node.ExitCode}: {Stderr()}");
        }

        var match = ListeningLine().Match(await listening);
        TcpPort = int.Parse(match.Groups["tcp"].Value, System.Globalization.CultureInfo.InvariantCulture);
        TlsPort = int.Parse(match.Groups["tls"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until the server printed exactly this line (e.g. "call 42" once it holds that call).</summary>
    public Task WaitForLineAsync(string line, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_lines.Contains(line))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((line, seen));
            return seen.Task.WaitAsync(timeout);
        }
    }

    public async Task DisposeAsync()
    {
        await ChildProcess.StopAsync(_node);
        Root?.Dispose();
        OtherRoot?.Dispose();
        _directory?.Delete(recursive: true);
    }

    private (string Certificate, string Key) WriteServerCertificate(string directory)
    {
        Root = CreateCa("CN=MeshBridge interop test CA", out var rootKey);
        OtherRoot = CreateCa("CN=MeshBridge untrusted test CA", out var otherKey);
        otherKey.Dispose();

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=interop server", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(ServerName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // Well inside the CA's validity: Create rejects a leaf that outlives its issuer, even by the sub-second part.
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var leaf = request.Create(Root, now.AddMinutes(-30), now.AddHours(12), serial);
        rootKey.Dispose();

        var certificatePath = Path.Combine(directory, "server.pem");
        var keyPath = Path.Combine(directory, "server-key.pem");
        File.WriteAllText(certificatePath, leaf.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return (certificatePath, keyPath);
    }

    private static X509Certificate2 CreateCa(string subject, out ECDsa key)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));
    }

    private Task<string> WaitForLinePrefixAsync(string prefix)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data?.StartsWith(prefix, StringComparison.Ordinal) == true)
            {
                found.TrySetResult(e.Data);
            }
        }

        _node!.OutputDataReceived += Check;
        return found.Task;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Line == line).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    private string Stderr()
    {
        lock (_gate)
        {
            return _stderr.ToString();
        }
    }

    [GeneratedRegex(@"^listening tcp=(?<tcp>\d+) uds=.* tls=(?<tls>\d+)$")]
    private static partial Regex ListeningLine();
}
