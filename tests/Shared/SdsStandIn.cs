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
    private X509Certificate2? _root;
    private int _leaves;

    private SdsStandIn(DirectoryInfo directory) => _directory = directory;

    /// <summary>The trust domain of the spire modes' bundle (and of <see cref="Identity"/>).</summary>
    public const string TrustDomain = "cluster.local";

    /// <summary>The second trust domain of mode <c>spire-federated</c>.</summary>
    public const string FederatedTrustDomain = "example.org";

    /// <summary>The bundle of <see cref="FederatedTrustDomain"/> (mode <c>spire-federated</c>).</summary>
    public string FederatedPem => File.ReadAllText(Path.Combine(_directory.FullName, "federated.crt"));

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

    /// <summary>
    /// Starts the server in <paramref name="mode"/> (normal, corrupt-first, silent, no-stream, spire, spire-federated;
    /// see sds.js); the leaf key is PKCS#8 (as SPIRE's), or <c>EC PRIVATE KEY</c> with <paramref name="ecPrivateKey"/>.
    /// </summary>
    public static async Task<SdsStandIn> StartAsync(string mode = "normal", bool ecPrivateKey = false)
    {
        var server = new SdsStandIn(Directory.CreateTempSubdirectory("mb-sds-"));
        try
        {
            await server.StartCoreAsync(mode, ecPrivateKey);
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

    /// <summary>Issues a new leaf from the same root and has the server push it to every open stream.</summary>
    public async Task PushCertificateAsync(bool ecPrivateKey = false)
    {
        WriteLeaf(_directory.FullName, _root!, ecPrivateKey);
        await ControlAsync("push-cert");
    }

    /// <summary>Replaces the root (the leaf stays) and has the server push the new bundle to every open stream.</summary>
    public async Task PushRootAsync()
    {
        using var root = NewRoot("O=cluster.local rotated");
        File.WriteAllText(Path.Combine(_directory.FullName, "root.crt"), root.ExportCertificatePem() + "\n");
        await ControlAsync("push-root");
    }

    /// <summary>Pushes a certificate resource that is not a Secret; after the NACK the server resends the current one.</summary>
    public Task PushCorruptAsync() => ControlAsync("push-corrupt");

    /// <summary>Ends every open stream with status OK.</summary>
    public Task EndStreamsAsync() => ControlAsync("end-stream");

    /// <summary>Ends every open stream with UNAVAILABLE.</summary>
    public Task FailStreamsAsync() => ControlAsync("fail-stream");

    /// <summary>Sends one control line and waits until the server has carried it out.</summary>
    private async Task ControlAsync(string command)
    {
        var before = Lines.Count(l => l.StartsWith($"done {command} ", StringComparison.Ordinal));
        await _node!.StandardInput.WriteLineAsync(command);
        await _node.StandardInput.FlushAsync();
        await WaitForLinesAsync(l => l.StartsWith($"done {command} ", StringComparison.Ordinal), before + 1, StartTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.StopAsync(_node);
        _root?.Dispose();

        _directory.Delete(recursive: true);
    }

    private async Task StartCoreAsync(string mode, bool ecPrivateKey)
    {
        var dir = _directory.FullName;
        _root = NewRoot("O=cluster.local");
        File.WriteAllText(Path.Combine(dir, "root.crt"), _root.ExportCertificatePem() + "\n");
        WriteLeaf(dir, _root, ecPrivateKey);
        using (var federated = NewRoot("O=example.org"))
        {
            File.WriteAllText(Path.Combine(dir, "federated.crt"), federated.ExportCertificatePem() + "\n");
        }

        await ChildProcess.EnsureNpmPackagesAsync(IstiodStandIn.InteropFolder, "@grpc/grpc-js", TimeSpan.FromMinutes(5));
        _node = ChildProcess.Start(
            "node",
            IstiodStandIn.InteropFolder,
            [
                "sds.js", "--protos", Path.Combine(TeamFolder.RepositoryRoot, "protos"), "--socket", SocketPath,
                "--chain", Path.Combine(dir, "chain.crt"), "--key", Path.Combine(dir, "leaf.key"), "--root", Path.Combine(dir, "root.crt"), "--mode", mode,
                "--identity", Identity, "--federated", Path.Combine(dir, "federated.crt"),
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
        await ChildProcess.WaitUntilReadyAsync(_node, listening.Task, _stderr, _gate, "The SDS stand-in", StartTimeout);
    }

    /// <summary>An ECDSA root with its key, as istiod's self-signed one.</summary>
    private static X509Certificate2 NewRoot(string subject)
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest(subject, rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return rootRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));
    }

    /// <summary>A leaf as istio-agent hands it out: chain = leaf + root, key PKCS#8 (or SEC1 EC PRIVATE KEY); a new serial each time.</summary>
    private void WriteLeaf(string dir, X509Certificate2 root, bool ecPrivateKey)
    {
        var now = DateTimeOffset.UtcNow;
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest(string.Empty, leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(Identity));
        leafRequest.CertificateExtensions.Add(san.Build(critical: true));
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        _leaves++;
        using var leaf = leafRequest.Create(root, now.AddMinutes(-5), now.AddDays(1), [0x10, (byte)_leaves]);

        File.WriteAllText(Path.Combine(dir, "chain.crt"), leaf.ExportCertificatePem() + "\n" + root.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(dir, "leaf.key"), (ecPrivateKey ? leafKey.ExportECPrivateKeyPem() : leafKey.ExportPkcs8PrivateKeyPem()) + "\n");
    }
}
