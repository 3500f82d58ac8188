using MeshBridge.Kubernetes.LeaderElection;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Kubernetes.Tests.LeaderElection;

/// <summary>ReleaseOnCancel, leaseTransitions, and resourceVersion conflicts between racing candidates.</summary>
public sealed class ReleaseAndRaceTests
{
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(2);

    private readonly ManualTimeProvider _clock = new();
    private readonly InMemoryLeaseClient _server = new();

    private V1Lease Lease => _server.Lease("meshbridge-system", "meshbridge-leader")!;

    [Fact]
    public async Task Release_on_cancel_lets_the_other_candidate_acquire_at_its_next_retry()
    {
        await using var a = new Candidate("a", _server, _clock, ReleaseOnCancel).Start();
        await a.WhenLeadingAsync();
        await using var b = new Candidate("b", _server, _clock).Start();
        await _clock.SettledAsync(parked: 2);

        await a.StopAsync();

        Assert.Equal((string.Empty, 1), (Lease.Spec!.HolderIdentity, Lease.Spec.LeaseDurationSeconds));
        Assert.Equal(1, a.StoppedCount);
        await _clock.StepAsync(RetryPeriod, parked: 1);
        await b.WhenLeadingAsync();
        Assert.Equal(("b", 15), (Lease.Spec!.HolderIdentity, Lease.Spec.LeaseDurationSeconds));
    }

    [Fact]
    public async Task Without_release_on_cancel_the_lease_stays_with_the_stopped_leader()
    {
        await using var a = new Candidate("a", _server, _clock).Start();
        await a.WhenLeadingAsync();

        await a.StopAsync();

        Assert.Equal(("a", 15), (Lease.Spec!.HolderIdentity, Lease.Spec.LeaseDurationSeconds));
    }

    [Fact]
    public async Task Release_leaves_alone_a_lease_that_another_candidate_holds_by_now()
    {
        await using var a = new Candidate("a", _server, _clock, ReleaseOnCancel).Start();
        await a.WhenLeadingAsync();
        await _clock.SettledAsync(parked: 1);
        var current = Lease;
        _server.WithLease(current with { Spec = current.Spec! with { HolderIdentity = "usurper" } });

        await a.StopAsync();

        Assert.Equal("usurper", Lease.Spec!.HolderIdentity);
    }

    [Fact]
    public async Task Lease_transitions_count_changes_of_holder_and_nothing_else()
    {
        await using (var a = new Candidate("a", _server, _clock, ReleaseOnCancel).Start())
        {
            await a.WhenLeadingAsync();
            await _clock.SettledAsync(parked: 1);
            await _clock.StepAsync(RetryPeriod, parked: 1);

            // One renewal falls back from the optimistic replace to client-go's read-then-replace slow path.
            _server.WithFailures(1);
            await _clock.StepAsync(RetryPeriod, parked: 1);
            Assert.Equal((0, 0), (_server.Conflicts, Lease.Spec!.LeaseTransitions));
            Assert.Equal(_clock.GetUtcNow(), Lease.Spec.RenewTime);
            await a.StopAsync();
            Assert.Equal(0, Lease.Spec!.LeaseTransitions);
        }

        await using (var b = new Candidate("b", _server, _clock, ReleaseOnCancel).Start())
        {
            await b.WhenLeadingAsync();
            Assert.Equal(1, Lease.Spec!.LeaseTransitions);
            await _clock.SettledAsync(parked: 1);
            await _clock.StepAsync(RetryPeriod, parked: 1);
            Assert.Equal(1, Lease.Spec!.LeaseTransitions);
            await b.StopAsync();
        }

        await using var again = new Candidate("a", _server, _clock).Start();
        await again.WhenLeadingAsync();
        Assert.Equal(2, Lease.Spec!.LeaseTransitions);
    }

    [Fact]
    public async Task Two_candidates_racing_to_create_the_lease_never_both_lead()
    {
        var leadership = new Leadership();
        _server.WithGetRendezvous(2);

        await using var a = new Candidate("a", _server, _clock, leadership: leadership).Start();
        await using var b = new Candidate("b", _server, _clock, leadership: leadership).Start();
        await Task.WhenAny(a.Started.Task, b.Started.Task).WaitAsync(Candidate.Timeout);
        await _clock.SettledAsync(parked: 2);

        Assert.Equal(1, _server.Conflicts);
        await AssertOneLeaderThroughout(a, b, leadership);
    }

    [Fact]
    public async Task Two_candidates_racing_to_take_over_a_released_lease_never_both_lead()
    {
        var leadership = new Leadership();
        var released = AcquireTests.HeldLease(string.Empty, _clock.GetUtcNow());
        _server.WithLease(released).WithGetRendezvous(2);

        await using var a = new Candidate("a", _server, _clock, leadership: leadership).Start();
        await using var b = new Candidate("b", _server, _clock, leadership: leadership).Start();
        await Task.WhenAny(a.Started.Task, b.Started.Task).WaitAsync(Candidate.Timeout);
        await _clock.SettledAsync(parked: 2);

        Assert.Equal(1, _server.Conflicts);
        Assert.Equal(released.Spec!.LeaseTransitions + 1, Lease.Spec!.LeaseTransitions);
        await AssertOneLeaderThroughout(a, b, leadership);
    }

    private static Func<LeaderElectionOptions, LeaderElectionOptions> ReleaseOnCancel => options => options with { ReleaseOnCancel = true };

    private async Task AssertOneLeaderThroughout(Candidate a, Candidate b, Leadership leadership)
    {
        var leader = a.Elector.IsLeader ? a : b;
        var follower = leader == a ? b : a;
        for (var i = 0; i < 10; i++)
        {
            Assert.True(leader.Elector.IsLeader);
            Assert.False(follower.Elector.IsLeader);
            await _clock.StepAsync(RetryPeriod, parked: 2);
        }

        Assert.False(follower.Started.Task.IsCompleted);
        Assert.Equal(1, leadership.Most);
        Assert.Equal(leader == a ? "a" : "b", Lease.Spec!.HolderIdentity);
    }
}
