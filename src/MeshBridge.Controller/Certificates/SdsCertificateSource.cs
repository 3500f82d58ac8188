using System.Collections.Concurrent;
using MeshBridge.Certificates;
using MeshBridge.Certificates.Sds;

namespace MeshBridge.Controller.Certificates;

/// <summary>One SDS stream: the secrets the server pushes, until cancelled or broken (<see cref="SdsClient.WatchAsync"/>).</summary>
public delegate IAsyncEnumerable<SdsSecrets> SdsWatch(SdsRequest request, CancellationToken cancellationToken);

/// <summary>
/// The <c>sds</c> source (DESIGN.md §3): the certificate comes from an SDS server on a Unix socket (istio-agent or a
/// SPIRE agent), which issues and rotates it itself. One StreamSecrets stream per identity stays open; every push (a
/// rotation, a new root) is verified — the leaf names the identity, certifies the key, is valid and chains to the
/// pushed bundle — and becomes the current certificate, and <see cref="Updated"/> tells the controller to bring it to
/// the Secrets. A broken stream is reopened with capped exponential backoff while the current certificate keeps being
/// served; a push that fails verification is refused and the current one kept.
/// </summary>
public sealed class SdsCertificateSource : ICertificateSource, ICertificateLifecycle, ICertificateUpdates, IAsyncDisposable
{
    private readonly SdsSourceOptions options;
    private readonly TimeProvider time;
    private readonly SdsWatch watch;
    private readonly ConcurrentDictionary<MeshIdentity, Stream> streams = new();
    private readonly CancellationTokenSource stopping = new();

    /// <summary>A source over <see cref="SdsClient"/>.</summary>
    public SdsCertificateSource(SdsSourceOptions options, TimeProvider time)
        : this(options, time, new SdsClient(time).WatchAsync)
    {
    }

    /// <param name="options">Where the SDS server is and what kind it is.</param>
    /// <param name="time">The clock for verification, backoff and the first-certificate wait.</param>
    /// <param name="watch">Opens a stream (default: <see cref="SdsClient.WatchAsync"/>).</param>
    public SdsCertificateSource(SdsSourceOptions options, TimeProvider time, SdsWatch watch)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SocketPath, nameof(options));
        this.options = options;
        this.time = time;
        this.watch = watch;
    }

    public event Action<MeshIdentity, IssuedCertificate>? Issued;

    public event Action<MeshIdentity, Exception>? Failed;

    public event Action<MeshIdentity>? Updated;

    /// <exception cref="CertificateSourceException">No certificate yet: the server's failure, or none within the wait.</exception>
    public async Task<IssuedCertificate?> GetAsync(MeshIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var stream = Open(identity);
        var deadline = time.GetUtcNow() + options.FirstCertificateWait;
        while (true)
        {
            // Taken before the state is read, so an outcome in between is not missed.
            var changed = stream.Changed.Task;
            var now = time.GetUtcNow();
            if (stream.Serving(now) is { } current)
            {
                return current;
            }

            // A failing stream answers at once (it keeps retrying in the background); a reconcile worker never waits
            // out a backoff. Only a stream with no outcome yet is waited for, up to the first-certificate wait.
            if (stream.LastError is { } error)
            {
                throw new CertificateSourceException($"the SDS server at {options.SocketPath} has no usable certificate for {identity}: {error.Message}", error);
            }

            if (now >= deadline)
            {
                throw new CertificateSourceException($"the SDS server at {options.SocketPath} sent no certificate for {identity} within {options.FirstCertificateWait}");
            }

            try
            {
                await changed.WaitAsync(deadline - now, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Looked at again above: the deadline has passed.
            }
        }
    }

    /// <summary>The stream's trouble while a certificate is still served: a broken stream, or pushes that failed verification.</summary>
    public RenewalTrouble? Trouble(MeshIdentity identity) =>
        streams.TryGetValue(identity, out var stream) && stream.Current is { } current && stream.Failures > 0 && stream.LastError is { } error
            ? new RenewalTrouble(stream.Failures, error, current.NotAfter, stream.NextAttempt)
            : null;

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        foreach (var stream in streams.Values)
        {
            try
            {
                await stream.Running.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped as asked.
            }
        }

        stopping.Dispose();
    }

    /// <summary>
    /// The identity's stream, opened on first use. GetOrAdd may build a value twice when callers race, so the stream
    /// starts only once it is the one stored: never two StreamSecrets streams for one identity.
    /// </summary>
    private Stream Open(MeshIdentity identity)
    {
        var stream = streams.GetOrAdd(identity, _ => new Stream());
        stream.StartOnce(() => RunAsync(identity, stream, stopping.Token));
        return stream;
    }

    /// <summary>What to ask for: istio-agent names its one identity <c>default</c>; SPIRE answers to the SPIFFE ID and the trust domain.</summary>
    private SdsRequest Request(MeshIdentity identity) => options.Server == SdsServerKind.Spire
        ? new SdsRequest
        {
            SocketPath = options.SocketPath,
            NodeId = options.NodeId,
            CertificateResource = identity.SpiffeId,
            RootResource = $"spiffe://{identity.TrustDomain}",
            TrustDomain = identity.TrustDomain,
            Timeout = options.FirstCertificateWait,
        }
        : new SdsRequest { SocketPath = options.SocketPath, NodeId = options.NodeId, Timeout = options.FirstCertificateWait };

    private async Task RunAsync(MeshIdentity identity, Stream stream, CancellationToken cancellationToken)
    {
        var request = Request(identity);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var secrets in watch(request, cancellationToken).ConfigureAwait(false))
                {
                    try
                    {
                        var certificate = Verify(identity, secrets);
                        stream.Succeeded(certificate);
                        Issued?.Invoke(identity, certificate);
                        Updated?.Invoke(identity);
                    }
                    catch (CertificateVerificationException e)
                    {
                        // The stream stays open: the next push may be right. Until then the current certificate serves.
                        stream.Failed(e, time.GetUtcNow());
                        Failed?.Invoke(identity, e);
                    }
                }

                throw new SdsException(SdsFailure.Refused, $"the SDS server at {options.SocketPath} ended the stream");
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var retry = time.GetUtcNow() + Backoff(stream.Failures + 1);
                stream.Failed(e, retry);
                Failed?.Invoke(identity, e);
                await Task.Delay(retry - time.GetUtcNow(), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private IssuedCertificate Verify(MeshIdentity identity, SdsSecrets secrets)
    {
        using var chain = IssuedChain.Parse([secrets.CertificateChainPem, secrets.RootBundlePem]);
        var names = SubjectAlternativeNames.Uris(chain.Leaf);
        if (names.Count == 1 && names[0] != identity.SpiffeId)
        {
            var hint = options.Server == SdsServerKind.IstioAgent
                ? "istio-agent serves only its own pod's identity: run MeshBridge as NIC's service account, or use --certificate-source istio-ca"
                : "register NIC's SPIFFE ID for MeshBridge's workload in SPIRE";
            throw new CertificateVerificationException($"the SDS server serves {names[0]}, not {identity.SpiffeId}; {hint}");
        }

        var verified = new ChainVerifier(time).Verify(chain, identity.SpiffeId, secrets.PrivateKeyPem, secrets.RootBundlePem);
        return new IssuedCertificate(verified.CertificateChainPem, verified.PrivateKeyPem, verified.RootBundlePem, verified.NotAfter);
    }

    private TimeSpan Backoff(int failures) => RetryBackoff.After(failures, options.InitialBackoff, options.MaxBackoff);

    private sealed class Stream
    {
        private readonly Lock gate = new();
        private IssuedCertificate? current;
        private Exception? lastError;
        private int failures;
        private DateTimeOffset nextAttempt;
        private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Task? running;

        public Task Running => Volatile.Read(ref running) ?? Task.CompletedTask;

        public void StartOnce(Func<Task> run)
        {
            if (Volatile.Read(ref running) is null)
            {
                lock (gate)
                {
                    running ??= Task.Run(run);
                }
            }
        }

        /// <summary>Completes at the next success or failure.</summary>
        public TaskCompletionSource Changed
        {
            get
            {
                lock (gate)
                {
                    return changed;
                }
            }
        }

        public IssuedCertificate? Current
        {
            get
            {
                lock (gate)
                {
                    return current;
                }
            }
        }

        public Exception? LastError
        {
            get
            {
                lock (gate)
                {
                    return lastError;
                }
            }
        }

        public int Failures
        {
            get
            {
                lock (gate)
                {
                    return failures;
                }
            }
        }

        public DateTimeOffset NextAttempt
        {
            get
            {
                lock (gate)
                {
                    return nextAttempt;
                }
            }
        }

        public IssuedCertificate? Serving(DateTimeOffset now)
        {
            var certificate = Current;
            return certificate is not null && now < certificate.NotAfter ? certificate : null;
        }

        public void Succeeded(IssuedCertificate certificate) => Signal(() =>
        {
            current = certificate;
            failures = 0;
            lastError = null;
        });

        public void Failed(Exception error, DateTimeOffset retry) => Signal(() =>
        {
            failures++;
            lastError = error;
            nextAttempt = retry;
        });

        private void Signal(Action change)
        {
            TaskCompletionSource done;
            lock (gate)
            {
                change();
                done = changed;
                changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            done.SetResult();
        }
    }
}
