using MeshBridge.Controller.Certificates;
using MeshBridge.Testing;
using MeshBridge.Transform;

namespace MeshBridge.Controller.Tests.Certificates;

public sealed class RotatingCertificateSourceTests
{
    private static readonly MeshIdentity Nic = new(NicIdentity.Default, "cluster.local");
    private static readonly RotationOptions NoJitter = new() { GraceRatioJitter = 0 };

    [Fact]
    public async Task Callers_asking_at_once_for_one_identity_share_one_request()
    {
        var time = new ManualTimeProvider();
        var issuer = new ScriptedIssuer(time) { Gate = new TaskCompletionSource() };
        var source = new RotatingCertificateSource(issuer, time, NoJitter);

        var callers = Enumerable.Range(0, 8).Select(_ => source.GetAsync(Nic, CancellationToken.None)).ToList();
        issuer.Gate.SetResult();
        var certificates = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, issuer.Calls);
        Assert.All(certificates, c => Assert.Same(certificates[0], c));
    }

    [Fact]
    public async Task The_certificate_is_renewed_at_half_its_lifetime_and_not_before()
    {
        var time = new ManualTimeProvider();
        var issuer = new ScriptedIssuer(time);
        var source = new RotatingCertificateSource(issuer, time, NoJitter);
        var first = await source.GetAsync(Nic, CancellationToken.None);

        time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        Assert.Same(first, await source.GetAsync(Nic, CancellationToken.None));
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(1), source.RenewalDue(Nic));
        time.Advance(TimeSpan.FromSeconds(1));
        var second = await source.GetAsync(Nic, CancellationToken.None);

        Assert.NotSame(first, second);
        Assert.Equal(2, issuer.Calls);
    }

    [Fact]
    public async Task The_jitter_moves_the_renewal_either_way_within_its_share_of_the_lifetime()
    {
        var time = new ManualTimeProvider();
        var start = time.GetUtcNow();
        var dues = new List<TimeSpan>();
        foreach (var seed in Enumerable.Range(0, 20))
        {
            var source = new RotatingCertificateSource(new ScriptedIssuer(time), time, new RotationOptions { GraceRatioJitter = 0.01, Random = new Random(seed) });
            await source.GetAsync(Nic, CancellationToken.None);
            dues.Add(source.RenewalDue(Nic)!.Value - start);
        }

        var quarterHour = TimeSpan.FromHours(24) * 0.01;
        Assert.All(dues, d => Assert.InRange(d, TimeSpan.FromHours(12) - quarterHour, TimeSpan.FromHours(12) + quarterHour));
        Assert.Contains(dues, d => d < TimeSpan.FromHours(12));
        Assert.Contains(dues, d => d > TimeSpan.FromHours(12));
    }

    [Fact]
    public async Task Through_a_CA_outage_the_current_certificate_is_served_and_retries_back_off()
    {
        var time = new ManualTimeProvider();
        var issuer = new ScriptedIssuer(time);
        var source = new RotatingCertificateSource(issuer, time, NoJitter with { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(4) });
        var current = await source.GetAsync(Nic, CancellationToken.None);
        time.Advance(TimeSpan.FromHours(12));
        issuer.Failing = true;

        Assert.Same(current, await source.GetAsync(Nic, CancellationToken.None));
        Assert.Same(current, await source.GetAsync(Nic, CancellationToken.None));
        Assert.Equal(2, issuer.Calls);
        Assert.Equal(1, source.Failures(Nic));

        var attempts = new List<int>();
        foreach (var _ in Enumerable.Range(0, 6))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Same(current, await source.GetAsync(Nic, CancellationToken.None));
            attempts.Add(issuer.Calls);
        }

        // Retries after 1 s, then 2 s, then 4 s (capped): calls 3 at +1 s, 4 at +3 s, 5 at +7 s.
        Assert.Equal([3, 3, 4, 4, 4, 4], attempts);
        issuer.Failing = false;
        time.Advance(TimeSpan.FromSeconds(1));
        var renewed = await source.GetAsync(Nic, CancellationToken.None);
        Assert.NotSame(current, renewed);
        Assert.Equal(0, source.Failures(Nic));
    }

    [Fact]
    public async Task With_nothing_valid_left_to_serve_the_failure_surfaces()
    {
        var time = new ManualTimeProvider();
        var issuer = new ScriptedIssuer(time) { Failing = true };
        var source = new RotatingCertificateSource(issuer, time, NoJitter);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => source.GetAsync(Nic, CancellationToken.None));
        Assert.Contains("CA unavailable", failure.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => source.GetAsync(Nic, CancellationToken.None));
        Assert.Equal(1, issuer.Calls);

        issuer.Failing = false;
        await Assert.ThrowsAsync<InvalidOperationException>(() => source.GetAsync(Nic, CancellationToken.None));
        Assert.Equal(1, issuer.Calls);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await source.GetAsync(Nic, CancellationToken.None));
        time.Advance(TimeSpan.FromHours(23));
        issuer.Failing = true;
        Assert.NotNull(await source.GetAsync(Nic, CancellationToken.None));
        time.Advance(TimeSpan.FromHours(2));
        await Assert.ThrowsAsync<InvalidOperationException>(() => source.GetAsync(Nic, CancellationToken.None));
    }

    [Fact]
    public async Task A_new_trust_domain_is_a_new_identity_issued_at_once()
    {
        var time = new ManualTimeProvider();
        var issuer = new ScriptedIssuer(time);
        var source = new RotatingCertificateSource(issuer, time, NoJitter);

        var old = await source.GetAsync(Nic, CancellationToken.None);
        var moved = await source.GetAsync(Nic with { TrustDomain = "mesh.example" }, CancellationToken.None);

        Assert.NotSame(old, moved);
        Assert.Equal([Nic, Nic with { TrustDomain = "mesh.example" }], issuer.Asked);
    }

    [Fact]
    public async Task A_failing_renewal_is_reported_as_trouble_until_one_works()
    {
        var time = new ManualTimeProvider();
        var issuer = new ScriptedIssuer(time);
        var source = new RotatingCertificateSource(issuer, time, NoJitter with { InitialBackoff = TimeSpan.FromSeconds(1) });
        var current = await source.GetAsync(Nic, CancellationToken.None);
        Assert.Null(source.Trouble(Nic));

        time.Advance(TimeSpan.FromHours(12));
        issuer.Failing = true;
        Assert.Same(current, await source.GetAsync(Nic, CancellationToken.None));

        var trouble = source.Trouble(Nic);
        Assert.NotNull(trouble);
        Assert.Equal(1, trouble.Failures);
        Assert.Equal("CA unavailable", trouble.LastError.Message);
        Assert.Equal(current!.NotAfter, trouble.ServedUntil);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(1), trouble.NextAttempt);

        issuer.Failing = false;
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotSame(current, await source.GetAsync(Nic, CancellationToken.None));
        Assert.Null(source.Trouble(Nic));
    }

    [Fact]
    public async Task Reissue_makes_a_fresh_certificate_due_at_once_and_only_once()
    {
        var time = new ManualTimeProvider();
        var issuer = new ScriptedIssuer(time);
        var source = new RotatingCertificateSource(issuer, time, NoJitter);
        source.Reissue(Nic);
        var first = await source.GetAsync(Nic, CancellationToken.None);
        Assert.Equal(1, issuer.Calls);

        source.Reissue(Nic);
        Assert.True(source.RenewalDue(Nic) <= time.GetUtcNow(), "a reissue is due now");
        var second = await source.GetAsync(Nic, CancellationToken.None);
        var third = await source.GetAsync(Nic, CancellationToken.None);

        Assert.NotSame(first, second);
        Assert.Same(second, third);
        Assert.Equal(2, issuer.Calls);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromHours(12), source.RenewalDue(Nic));
    }

    /// <summary>The CA behind the source: 24-hour certificates, or a failure while <see cref="Failing"/>.</summary>
    private sealed class ScriptedIssuer(TimeProvider time) : ICertificateSource
    {
        private int calls;

        public TaskCompletionSource? Gate { get; init; }

        public bool Failing { get; set; }

        public int Calls => Volatile.Read(ref calls);

        public List<MeshIdentity> Asked { get; } = [];

        public async Task<IssuedCertificate?> GetAsync(MeshIdentity identity, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref calls);
            lock (Asked)
            {
                Asked.Add(identity);
            }

            if (Gate is not null)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            return Failing
                ? throw new InvalidOperationException("CA unavailable")
                : new IssuedCertificate($"chain {n}", $"key {n}", "root", time.GetUtcNow() + TimeSpan.FromHours(24));
        }
    }
}
