
namespace MeshBridge.Kubernetes.Tests.LeaderElection;

internal static class ElectionClock
{
    /// <summary>
    /// Moves the clock, then waits until <paramref name="parked"/> electors are waiting on their next timer again,
    /// so the next step starts from a settled state. Electors arm exactly one timer while they wait.
    /// </summary>
    public static async Task StepAsync(this ManualTimeProvider clock, TimeSpan by, int parked)
    {
        clock.Advance(by);
        await clock.WhenArmedTimersAsync(parked).WaitAsync(Candidate.Timeout);
    }

    public static Task SettledAsync(this ManualTimeProvider clock, int parked) =>
        clock.WhenArmedTimersAsync(parked).WaitAsync(Candidate.Timeout);
}
