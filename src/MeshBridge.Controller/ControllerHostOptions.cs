using MeshBridge.Controller.Operations;

namespace MeshBridge.Controller;

/// <summary>How <c>meshbridge run</c> hosts the controller: operations endpoints and leader election.</summary>
public sealed record ControllerHostOptions
{
    public OperationsServerOptions Operations { get; init; } = new();

    public bool LeaderElect { get; init; }

    public string LeaderElectionNamespace { get; init; } = "meshbridge-system";

    public string LeaderElectionName { get; init; } = "meshbridge-leader";

    public string Identity { get; init; } = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}
