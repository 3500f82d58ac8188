namespace MeshBridge.Kubernetes.LeaderElection;

/// <summary>
/// Which Lease to contend for and how: client-go's <c>LeaderElectionConfig</c> timings, with its defaults
/// (the ones kube-controller-manager and controller-runtime use).
/// </summary>
public sealed record LeaderElectionOptions
{
    /// <summary>client-go's <c>JitterFactor</c>: a candidate waits between RetryPeriod and 2.2 × RetryPeriod.</summary>
    public const double JitterFactor = 1.2;

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>This candidate's name in <c>spec.holderIdentity</c>; unique per process (typically the pod name).</summary>
    public required string Identity { get; init; }

    /// <summary>How long a non-leader waits, after it last saw the Lease change, before it may take it over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps retrying a failed renewal before it gives up leading.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long candidates wait between tries, and the leader between renewals.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// On shutdown while leading, hand the Lease back (empty holder, 1 s duration) so a successor need not wait out
    /// <see cref="LeaseDuration"/>. Safe because the elector releases only after the leading work has returned.
    /// </summary>
    public bool ReleaseOnCancel { get; init; }

    /// <summary>Every rule client-go's <c>NewLeaderElector</c> checks, all reported at once.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        if (string.IsNullOrEmpty(Namespace))
        {
            errors.Add("namespace must not be empty");
        }

        if (string.IsNullOrEmpty(Name))
        {
            errors.Add("name must not be empty");
        }

        if (string.IsNullOrEmpty(Identity))
        {
            errors.Add("identity must not be empty");
        }

        // The Lease stores whole seconds (leaseDurationSeconds), so anything shorter would be written as zero.
        if (LeaseDuration < TimeSpan.FromSeconds(1))
        {
            errors.Add("leaseDuration must be at least one second");
        }

        if (RenewDeadline <= TimeSpan.Zero)
        {
            errors.Add("renewDeadline must be greater than zero");
        }

        if (RetryPeriod <= TimeSpan.Zero)
        {
            errors.Add("retryPeriod must be greater than zero");
        }

        // Renewal must give up before the others may take over, and must have room for more than one jittered retry.
        if (LeaseDuration <= RenewDeadline)
        {
            errors.Add("leaseDuration must be greater than renewDeadline");
        }

        if (RenewDeadline <= RetryPeriod * JitterFactor)
        {
            errors.Add("renewDeadline must be greater than retryPeriod*JitterFactor");
        }

        return errors;
    }
}
