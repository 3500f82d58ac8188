using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Kubernetes.Tests.LeaderElection;

/// <summary>client-go renew: a leader gives up once renewal has failed for RenewDeadline, and not before.</summary>
public sealed class RenewDeadlineTests
{
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(2);

    private readonly ManualTimeProvider _clock = new();
    private readonly InMemoryLeaseClient _server = new();

    private V1Lease Lease => _server.Lease("meshbridge-system", "meshbridge-leader")!;

    [Fact]
    public async Task A_leader_that_cannot_renew_for_the_renew_deadline_stops_leading_and_calls_OnStoppedLeading()
    {
        await using var a = new Candidate("a", _server, _clock).Start();
        await a.WhenLeadingAsync();
        await _clock.SettledAsync(parked: 1);
        _server.WithFailures(int.MaxValue);

        // The failing round starts one retry period after the last renewal and tries at 0, 2, 4, 6 and 8 s into it.
        for (var i = 0; i < 5; i++)
        {
            await _clock.StepAsync(RetryPeriod, parked: 1);
            Assert.True(a.Elector.IsLeader);
            Assert.False(a.LeadingToken.IsCancellationRequested);
        }

        _clock.Advance(RetryPeriod);

        await a.Run.WaitAsync(Candidate.Timeout);
        Assert.Equal(1, a.StoppedCount);
        Assert.True(a.LeadingToken.IsCancellationRequested);
        Assert.False(a.Elector.IsLeader);
    }

    [Fact]
    public async Task Renewal_failures_shorter_than_the_renew_deadline_keep_the_leader_leading()
    {
        var start = _clock.GetUtcNow();
        await using var a = new Candidate("a", _server, _clock).Start();
        await a.WhenLeadingAsync();
        await _clock.SettledAsync(parked: 1);

        // Three failed tries of two calls each (the optimistic replace, then the get), 6 s of a 10 s deadline.
        _server.WithFailures(6);
        for (var i = 0; i < 15; i++)
        {
            await _clock.StepAsync(RetryPeriod, parked: 1);
        }

        Assert.True(a.Elector.IsLeader);
        Assert.Equal(0, a.StoppedCount);
        Assert.Equal(start + TimeSpan.FromSeconds(30), Lease.Spec!.RenewTime);
    }

    [Fact]
    public async Task A_leader_cut_off_from_the_API_server_stops_leading_before_another_candidate_takes_over()
    {
        var cutOff = false;
        var leadership = new Leadership();
        await using var a = new Candidate("a", _server.Partitionable(() => Volatile.Read(ref cutOff)), _clock, leadership: leadership).Start();
        await a.WhenLeadingAsync();
        await using var b = new Candidate("b", _server, _clock, leadership: leadership).Start();
        await _clock.SettledAsync(parked: 2);

        Volatile.Write(ref cutOff, true);
        for (var i = 0; i < 5; i++)
        {
            await _clock.StepAsync(RetryPeriod, parked: 2);
        }

        // 12 s after a's last renewal its failing round hits the renew deadline; b still sees an unexpired lease.
        _clock.Advance(RetryPeriod);
        await a.Run.WaitAsync(Candidate.Timeout);
        await _clock.SettledAsync(parked: 1);
        Assert.False(b.Elector.IsLeader);
        await _clock.StepAsync(RetryPeriod, parked: 1);
        Assert.False(b.Elector.IsLeader);

        // 16 s after b last saw the lease change, past the 15 s lease duration.
        await _clock.StepAsync(RetryPeriod, parked: 1);
        await b.WhenLeadingAsync();
        Assert.True(a.Run.IsCompleted, "b leads while a still believes it leads");
        Assert.Equal(1, leadership.Most);
        Assert.Equal("b", Lease.Spec!.HolderIdentity);
    }

    [Fact]
    public async Task A_failing_leading_callback_is_rethrown_by_RunAsync_after_OnStoppedLeading()
    {
        await using var a = new Candidate("a", _server, _clock, work: _ => throw new InvalidOperationException("reconciler crashed")).Start();
        await a.WhenLeadingAsync();
        await _clock.SettledAsync(parked: 1);

        await _clock.StepAsync(RetryPeriod, parked: 1);
        Assert.True(a.Elector.IsLeader);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(a.StopAsync);
        Assert.Equal("reconciler crashed", failure.Message);
        Assert.Equal(1, a.StoppedCount);
    }
}
