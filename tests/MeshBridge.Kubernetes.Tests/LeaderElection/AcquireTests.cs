using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform.Model;

namespace MeshBridge.Kubernetes.Tests.LeaderElection;

/// <summary>client-go acquire and tryAcquireOrRenew: create, renew, wait while fresh, take over when expired.</summary>
public sealed class AcquireTests
{
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(2);

    private readonly ManualTimeProvider _clock = new();
    private readonly InMemoryLeaseClient _server = new();

    private V1Lease Lease => _server.Lease("meshbridge-system", "meshbridge-leader")!;

    [Fact]
    public async Task The_first_candidate_creates_the_missing_lease_and_leads()
    {
        var start = _clock.GetUtcNow();
        await using var a = new Candidate("a", _server, _clock).Start();

        await a.WhenLeadingAsync();

        Assert.Equal(("a", 15, start, start, 0), (Lease.Spec!.HolderIdentity, Lease.Spec.LeaseDurationSeconds, Lease.Spec.AcquireTime, Lease.Spec.RenewTime, Lease.Spec.LeaseTransitions));
        Assert.True(a.Elector.IsLeader);
        Assert.Equal("a", a.Elector.GetLeader());
        Assert.Equal(["a"], a.NewLeaders);
    }

    [Fact]
    public async Task The_leader_renews_every_retry_period_keeping_acquire_time_and_transitions()
    {
        var start = _clock.GetUtcNow();
        await using var a = new Candidate("a", _server, _clock).Start();
        await a.WhenLeadingAsync();
        await _clock.SettledAsync(parked: 1);

        await _clock.StepAsync(RetryPeriod, parked: 1);
        await _clock.StepAsync(RetryPeriod, parked: 1);

        Assert.Equal(start + (2 * RetryPeriod), Lease.Spec!.RenewTime);
        Assert.Equal((start, 0), (Lease.Spec.AcquireTime, Lease.Spec.LeaseTransitions));

        // client-go's fast path: a leader replaces the version it wrote last, without reading first.
        Assert.Equal(1, _server.Gets);
    }

    [Fact]
    public async Task A_second_candidate_waits_while_the_lease_is_fresh_and_takes_over_after_the_holder_stops_renewing()
    {
        var start = _clock.GetUtcNow();
        await using var a = new Candidate("a", _server, _clock).Start();
        await a.WhenLeadingAsync();
        await using var b = new Candidate("b", _server, _clock).Start();
        await _clock.SettledAsync(parked: 2);

        await a.StopAsync();
        for (var i = 0; i < 7; i++)
        {
            await _clock.StepAsync(RetryPeriod, parked: 1);
            Assert.False(b.Elector.IsLeader, $"b took over {_clock.GetUtcNow() - start} after it first saw the lease");
        }

        await _clock.StepAsync(RetryPeriod, parked: 1);

        await b.WhenLeadingAsync();
        Assert.Equal(("b", 1, start + TimeSpan.FromSeconds(16)), (Lease.Spec!.HolderIdentity, Lease.Spec.LeaseTransitions, Lease.Spec.AcquireTime));
        Assert.Equal(["a", "b"], b.NewLeaders);
    }

    [Fact]
    public async Task A_lease_that_keeps_being_renewed_is_never_taken_over()
    {
        await using var a = new Candidate("a", _server, _clock).Start();
        await a.WhenLeadingAsync();
        await using var b = new Candidate("b", _server, _clock).Start();
        await _clock.SettledAsync(parked: 2);

        for (var i = 0; i < 30; i++)
        {
            await _clock.StepAsync(RetryPeriod, parked: 2);
        }

        Assert.False(b.Started.Task.IsCompleted);
        Assert.Equal("a", b.Elector.GetLeader());
        Assert.Equal("a", Lease.Spec!.HolderIdentity);
    }

    [Fact]
    public async Task Expiry_is_measured_on_the_local_clock_from_when_the_lease_was_seen_not_from_its_renew_time()
    {
        var longAgo = _clock.GetUtcNow() - TimeSpan.FromHours(1);
        _server.WithLease(HeldLease("crashed", longAgo));
        await using var b = new Candidate("b", _server, _clock).Start();
        await _clock.SettledAsync(parked: 1);

        for (var i = 0; i < 7; i++)
        {
            await _clock.StepAsync(RetryPeriod, parked: 1);
            Assert.False(b.Elector.IsLeader);
        }

        await _clock.StepAsync(RetryPeriod, parked: 1);
        await b.WhenLeadingAsync();
    }

    [Fact]
    public async Task A_candidate_retries_after_the_retry_period_plus_the_injected_jitter()
    {
        _server.WithLease(HeldLease("other", _clock.GetUtcNow()));
        await using var b = new Candidate("b", _server, _clock, random: () => 0.5).Start();
        await _clock.SettledAsync(parked: 1);

        // 2 s + 0.5 × JitterFactor(1.2) × 2 s = 3.2 s
        _clock.Advance(TimeSpan.FromMilliseconds(3199));
        Assert.Equal(1, _server.Gets);
        await _clock.StepAsync(TimeSpan.FromMilliseconds(1), parked: 1);
        Assert.Equal(2, _server.Gets);
    }

    [Fact]
    public async Task A_restarted_candidate_with_the_same_identity_resumes_at_once_without_a_transition()
    {
        var start = _clock.GetUtcNow();
        await using (var first = new Candidate("a", _server, _clock).Start())
        {
            await first.WhenLeadingAsync();
            await first.StopAsync();
        }

        await _clock.StepAsync(RetryPeriod, parked: 0);
        await using var restarted = new Candidate("a", _server, _clock).Start();

        await restarted.WhenLeadingAsync();
        Assert.Equal((start, 0, start + RetryPeriod), (Lease.Spec!.AcquireTime, Lease.Spec.LeaseTransitions, Lease.Spec.RenewTime));
    }

    [Fact]
    public async Task A_run_cancelled_before_acquiring_returns_without_calling_the_leading_callbacks()
    {
        _server.WithLease(HeldLease("other", _clock.GetUtcNow()));
        await using var b = new Candidate("b", _server, _clock).Start();
        await _clock.SettledAsync(parked: 1);

        await b.StopAsync();

        Assert.False(b.Started.Task.IsCompleted);
        Assert.Equal(0, b.StoppedCount);
        Assert.Equal(["other"], b.NewLeaders);
    }

    [Fact]
    public async Task An_elector_runs_once()
    {
        await using var a = new Candidate("a", _server, _clock).Start();
        await a.WhenLeadingAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => a.Elector.RunAsync(CancellationToken.None));
        Assert.True(a.Elector.IsLeader);
    }

    internal static V1Lease HeldLease(string holder, DateTimeOffset renewTime) => new()
    {
        Metadata = new V1ObjectMeta { Name = "meshbridge-leader", NamespaceProperty = "meshbridge-system" },
        Spec = new V1LeaseSpec
        {
            HolderIdentity = holder,
            LeaseDurationSeconds = 15,
            AcquireTime = renewTime,
            RenewTime = renewTime,
            LeaseTransitions = 3,
        },
    };
}
