namespace MeshBridge.Controller.Operations;

/// <summary>
/// Where the operations endpoints listen, spelled as controller-runtime's flags are: <c>host:port</c>, <c>:port</c>
/// for every interface, port 0 for a free port, and <c>"0"</c> (or empty) to serve nothing.
/// </summary>
public sealed record OperationsServerOptions
{
    /// <summary><c>--metrics-bind-address</c>: where <c>/metrics</c> is served.</summary>
    public string MetricsBindAddress { get; init; } = ":8080";

    /// <summary><c>--health-probe-bind-address</c>: where <c>/healthz</c> and <c>/readyz</c> are served.</summary>
    public string HealthProbeBindAddress { get; init; } = ":8081";

    /// <summary>How long a stop waits for requests in flight before closing their connections.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
