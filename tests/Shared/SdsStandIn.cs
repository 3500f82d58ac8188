using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MeshBridge.Testing;

/// <summary>
/// A stand-in istio-agent SDS server: the grpc-js server <c>tests/MeshBridge.Certificates.Tests/interop/sds.js</c> on a
/// Unix socket, serving <c>default</c> and <c>ROOTCA</c> made here (an ECDSA root and a leaf whose URI SAN is
/// <see cref="Identity"/>). <see cref="Lines"/> records every DiscoveryRequest it received, so tests assert ACKs and NACKs.
/// </summary>
internal sealed class SdsStandIn : IAsyncDisposable
{
    public const string Identity = "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly DirectoryInfo _directory;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _node;

    private SdsStandIn(DirectoryInfo directory) => _directory = directory;

    public string SocketPath => Path.Combine(_directory.FullName, "sds.sock");

    public string RootPem => File.ReadAllText(Path.Combine(_directory.FullName, "root.crt"));

    public string ChainPem => File.ReadAllText(Path.Combine(_directory.FullName, "chain.crt"));

    public string KeyPem => File.ReadAllText(Path.Combine(_directory.FullName, "leaf.key"));

    /// <summary>What the server printed so far: "request {json}", "sent NONCE NAME", "stale NONCE".</summary>
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

    /// <summary>Starts the server in <paramref name="mode"/> (normal, corrupt-first, silent, no-stream; see sds.js).</summary>
    public static async Task<SdsStandIn> StartAsync(string mode = "normal")
    {
        var server = new SdsStandIn(Directory.CreateTempSubdirectory("mb-sds-"));
        try
        {
            await server.StartCoreAsync(mode);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the server printed <paramref name="count"/> lines matching <paramref name="predicate"/>.</summary>
    public async Task<IReadOnlyList<string>> WaitForLinesAsync(Func<string, bool> predicate, int count, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var matching = _lines.Where(predicate).ToList();
                if (matching.Count >= count)
                {
                    return matching;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the SDS stand-in printed no {count} matching lines within {timeout}:\n{string.Join('\n', Lines)}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.StopAsync(_node);

        _directory.Delete(recursive: true);
    }

    private async Task StartCoreAsync(string mode)
    {
        var dir = _directory.FullName;
        MakeCertificates(dir);
        await ChildProcess.EnsureNpmPackagesAsync(IstiodStandIn.InteropFolder, "@grpc/grpc-js", TimeSpan.FromMinutes(5));
        _node = ChildProcess.Start(
            "node",
            IstiodStandIn.InteropFolder,
            [
                "sds.js", "--protos", Path.Combine(TeamFolder.RepositoryRoot, "protos"), "--socket", SocketPath,
                "--chain", Path.Combine(dir, "chain.crt"), "--key", Path.Combine(dir, "leaf.key"), "--root", Path.Combine(dir, "root.crt"), "--mode", mode,
            ],
            "Node.js 18+");
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            TaskCompletionSource changed;
            lock (_gate)
            {
                _lines.Add(e.Data);
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
            if (e.Data.StartsWith("listening ", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        _node.ErrorDataReceived += (_, e) =>
        {
            lock (_gate)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _node.BeginOutputReadLine();
        _node.BeginErrorReadLine();
        var exited = _node.WaitForExitAsync();
        if (await Task.WhenAny(listening.Task, exited).WaitAsync(StartTimeout) == exited)
        {
            lock (_gate)
            {
                throw new InvalidOperationException($"The SDS stand-in exited with {_node.ExitCode}: {_stderr}");
            }
        }
    }

    /// <summary>A root and a leaf as istio-agent hands them out: chain = leaf + root, key PKCS#8.</summary>
    private static void MakeCertificates(string dir)
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("O=cluster.local", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var root = rootRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest(string.Empty, leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(Identity));
        leafRequest.CertificateExtensions.Add(san.Build(critical: true));
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var leaf = leafRequest.Create(root, now.AddMinutes(-5), now.AddDays(1), [0x10, 0x01]);

        File.WriteAllText(Path.Combine(dir, "root.crt"), root.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(dir, "chain.crt"), leaf.ExportCertificatePem() + "\n" + root.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(dir, "leaf.key"), leafKey.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
