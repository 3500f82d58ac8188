using MeshBridge.Kubernetes.LeaderElection;

namespace MeshBridge.Kubernetes.Tests.LeaderElection;

/// <summary>client-go's defaults and NewLeaderElector checks, reported together rather than one at a time.</summary>
public sealed class LeaderElectionOptionsTests
{
    private static readonly LeaderElectionOptions Valid = new() { Namespace = "ns", Name = "lease", Identity = "pod-a" };

    public static TheoryData<LeaderElectionOptions, string> Invalid() => new()
    {
        { Valid with { LeaseDuration = TimeSpan.FromSeconds(10) }, "leaseDuration must be greater than renewDeadline" },
        { Valid with { RenewDeadline = TimeSpan.FromSeconds(2.4) }, "renewDeadline must be greater than retryPeriod*JitterFactor" },
        { Valid with { RetryPeriod = TimeSpan.Zero }, "retryPeriod must be greater than zero" },
        { Valid with { RenewDeadline = TimeSpan.Zero }, "renewDeadline must be greater than zero" },
        { Valid with { LeaseDuration = TimeSpan.FromMilliseconds(900), RenewDeadline = TimeSpan.FromMilliseconds(500), RetryPeriod = TimeSpan.FromMilliseconds(100) }, "leaseDuration must be at least one second" },
        { Valid with { Identity = string.Empty }, "identity must not be empty" },
        { Valid with { Name = string.Empty }, "name must not be empty" },
        { Valid with { Namespace = string.Empty }, "namespace must not be empty" },
    };

    [Fact]
    public void The_defaults_are_client_gos_15_10_and_2_seconds_and_valid()
    {
        Assert.Equal(
            (TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), false),
            (Valid.LeaseDuration, Valid.RenewDeadline, Valid.RetryPeriod, Valid.ReleaseOnCancel));
        Assert.Empty(Valid.Validate());
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Each_broken_rule_is_reported(LeaderElectionOptions options, string error)
    {
        Assert.Contains(error, options.Validate());
    }

    [Fact]
    public void A_renew_deadline_just_above_retry_period_times_jitter_factor_is_accepted()
    {
        Assert.Empty((Valid with { RenewDeadline = TimeSpan.FromSeconds(2.41) }).Validate());
    }

    [Fact]
    public void Every_broken_rule_is_reported_at_once()
    {
        var options = Valid with { Identity = string.Empty, LeaseDuration = TimeSpan.FromSeconds(5) };

        Assert.Equal(["identity must not be empty", "leaseDuration must be greater than renewDeadline"], options.Validate());
    }

    [Fact]
    public void The_elector_refuses_invalid_options_naming_every_problem()
    {
        var options = Valid with { Identity = string.Empty, LeaseDuration = TimeSpan.FromSeconds(5) };
        var callbacks = new LeaderCallbacks { OnStartedLeading = _ => Task.CompletedTask, OnStoppedLeading = () => { } };

        var error = Assert.Throws<ArgumentException>(() => new LeaderElector(new InMemoryLeaseClient(), options, callbacks, new ManualTimeProvider()));

        Assert.Contains("identity must not be empty; leaseDuration must be greater than renewDeadline", error.Message, StringComparison.Ordinal);
    }
}
