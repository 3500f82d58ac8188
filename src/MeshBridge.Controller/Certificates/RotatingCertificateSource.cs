using System.Collections.Concurrent;

namespace MeshBridge.Controller.Certificates;

/// <summary>
/// Keeps one certificate per mesh identity and renews it the way istio-agent does (reference/istio.md §4): at
/// <c>expiry − ratio′ × (expiry − received)</c>, ratio′ = 0.5 ± a random jitter, so every reconcile of every
/// namespace that needs the identity shares one certificate and one CSR per rotation. A new trust domain is a new
/// identity, so it is issued at once. When the issuer fails, the current certificate keeps being served while it is
/// valid, and the next attempt waits a capped exponential backoff; with nothing valid to serve, the failure surfaces.
/// </summary>
public sealed class RotatingCertificateSource(ICertificateSource issuer, TimeProvider time, RotationOptions? options = null) : ICertificateSource, ICertificateLifecycle
{
    private readonly RotationOptions options = options ?? new RotationOptions();
    private readonly ConcurrentDictionary<MeshIdentity, Slot> slots = new();

    public event Action<MeshIdentity, IssuedCertificate>? Issued;

    public event Action<MeshIdentity, Exception>? Failed;

    public async Task<IssuedCertificate?> GetAsync(MeshIdentity identity, CancellationToken cancellationToken)
    {
        var slot = slots.GetOrAdd(identity, _ => new Slot());
        if (slot.Fresh(time.GetUtcNow()) is { } fresh)
        {
            return fresh;
        }

        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have renewed it while this one waited: one CSR per identity per rotation.
            var now = time.GetUtcNow();
            if (slot.Fresh(now) is { } renewed)
            {
                return renewed;
            }

            if (now < slot.NextAttemptAt)
            {
                return slot.Serving(now) ?? throw slot.LastFailure!;
            }

            return await IssueAsync(identity, slot, now, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>When the identity's certificate is due for renewal (null before the first one): when to look again.</summary>
    public DateTimeOffset? RenewalDue(MeshIdentity identity) =>
        slots.TryGetValue(identity, out var slot) && slot.Current is not null ? Max(slot.ReissueRequested ? DateTimeOffset.MinValue : slot.RenewAt, slot.NextAttemptAt) : null;

    /// <summary>Failed attempts since the last certificate was issued for the identity (0 when the last one worked).</summary>
    public int Failures(MeshIdentity identity) => slots.TryGetValue(identity, out var slot) ? slot.Failures : 0;

    /// <summary>The failing renewal of a certificate that is still served (null before the first one, or when the last attempt worked).</summary>
    public RenewalTrouble? Trouble(MeshIdentity identity) =>
        slots.TryGetValue(identity, out var slot) && slot.Current is { } current && slot.Failures > 0 && slot.LastFailure is { } error
            ? new RenewalTrouble(slot.Failures, error, current.NotAfter, slot.NextAttemptAt)
            : null;

    /// <summary>
    /// The published mesh root changed: the current certificate is due at once (a CA outage still serves it, with
    /// the usual backoff). Nothing happens before the first certificate.
    /// </summary>
    public void Reissue(MeshIdentity identity)
    {
        if (slots.TryGetValue(identity, out var slot) && slot.Current is not null)
        {
            slot.ReissueRequested = true;
        }
    }

    private async Task<IssuedCertificate?> IssueAsync(MeshIdentity identity, Slot slot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var issued = await issuer.GetAsync(identity, cancellationToken).ConfigureAwait(false);
            if (issued is null)
            {
                return slot.Serving(now);
            }

            slot.Current = issued;
            slot.ReissueRequested = false;
            slot.RenewAt = RenewalTime(now, issued.NotAfter);
            slot.Failures = 0;
            slot.NextAttemptAt = DateTimeOffset.MinValue;
            slot.LastFailure = null;
            Issued?.Invoke(identity, issued);
            return issued;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            slot.Failures++;
            slot.LastFailure = e;
            slot.NextAttemptAt = now + Backoff(slot.Failures);
            Failed?.Invoke(identity, e);
            if (slot.Serving(now) is { } current)
            {
                return current;
            }

            throw;
        }
    }

    /// <summary>istio-agent's rotate time: the ratio of the lifetime left at renewal, jittered both ways, clamped to [0, 1].</summary>
    private DateTimeOffset RenewalTime(DateTimeOffset received, DateTimeOffset notAfter)
    {
        var jitter = (options.Random.NextDouble() * 2 - 1) * options.GraceRatioJitter;
        var ratio = Math.Clamp(options.GraceRatio + jitter, 0, 1);
        var lifetime = notAfter - received;
        return lifetime <= TimeSpan.Zero ? received : notAfter - (lifetime * ratio);
    }

    private TimeSpan Backoff(int failures) => RetryBackoff.After(failures, options.InitialBackoff, options.MaxBackoff);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private sealed class Slot
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public IssuedCertificate? Current { get; set; }

        public DateTimeOffset RenewAt { get; set; }

        private volatile bool reissueRequested;

        /// <summary>Set when the mesh root changed: the current certificate is no longer fresh, whatever its age.</summary>
        public bool ReissueRequested
        {
            get => reissueRequested;
            set => reissueRequested = value;
        }

        public DateTimeOffset NextAttemptAt { get; set; } = DateTimeOffset.MinValue;

        public int Failures { get; set; }

        public Exception? LastFailure { get; set; }

        /// <summary>The current certificate while it is not yet due for renewal.</summary>
        public IssuedCertificate? Fresh(DateTimeOffset now) => Current is not null && now < RenewAt && !ReissueRequested ? Current : null;

        /// <summary>The current certificate while it is still valid (served through a CA outage).</summary>
        public IssuedCertificate? Serving(DateTimeOffset now) => Current is not null && now < Current.NotAfter ? Current : null;
    }
}
