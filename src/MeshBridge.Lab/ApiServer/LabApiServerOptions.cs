namespace MeshBridge.Lab.ApiServer;

public sealed record LabApiServerOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Changes kept for watch resume; older resourceVersions answer 410 Expired.</summary>
    public int HistoryLimit { get; init; } = 10_000;

    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>When a watch names no timeoutSeconds (the API server picks 30–60 min).</summary>
    public TimeSpan DefaultWatchTimeout { get; init; } = TimeSpan.FromMinutes(30);

    public FaultInjector Faults { get; init; } = new(TimeProvider.System);

    /// <summary>The bearer token of the kubeconfig the lab writes; generated when not given.</summary>
    public string? AdminToken { get; init; }

    /// <summary>
    /// Authorize every request with RBAC over the Roles, ClusterRoles and bindings in the lab (plus kube-apiserver's
    /// default discovery and basic-user grants); the admin token is in <c>system:masters</c> and allowed everything.
    /// Off (the default), everything authenticated is allowed.
    /// </summary>
    public bool EnforceRbac { get; init; }
}
