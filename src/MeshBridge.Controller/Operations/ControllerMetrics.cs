using MeshBridge.Controller.Reconcilers;

namespace MeshBridge.Controller.Operations;

/// <summary>
/// The metrics MeshBridge exposes: controller-runtime's own names, labels, help texts and buckets
/// (sigs.k8s.io/controller-runtime pkg/internal/controller/metrics and pkg/metrics/workqueue.go), so the dashboards
/// and alerts written for Go controllers work unchanged, plus MeshBridge's own <c>meshbridge_*</c> series.
/// </summary>
public sealed class ControllerMetrics
{
    private const string Success = "success";
    private const string Error = "error";
    private const string Requeue = "requeue";
    private const string RequeueAfter = "requeue_after";

    public ControllerMetrics(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        ReconcileTotal = registry.CreateCounter("controller_runtime_reconcile_total", "Total number of reconciliations per controller", "controller", "result");
        ReconcileErrors = registry.CreateCounter("controller_runtime_reconcile_errors_total", "Total number of reconciliation errors per controller", "controller");
        ReconcileTime = registry.CreateHistogram("controller_runtime_reconcile_time_seconds", "Length of time per reconciliation per controller", ReconcileTimeBuckets, "controller");
        ActiveWorkers = registry.CreateGauge("controller_runtime_active_workers", "Number of currently used workers per controller", "controller");
        MaxConcurrentReconciles = registry.CreateGauge("controller_runtime_max_concurrent_reconciles", "Maximum number of concurrent reconciles per controller", "controller");
        WorkQueueDepth = registry.CreateGauge("workqueue_depth", "Current depth of workqueue", "name");
        WorkQueueAdds = registry.CreateCounter("workqueue_adds_total", "Total number of adds handled by workqueue", "name");
        WorkQueueRetries = registry.CreateCounter("workqueue_retries_total", "Total number of retries handled by workqueue", "name");
        WorkQueueQueueDuration = registry.CreateHistogram("workqueue_queue_duration_seconds", "How long in seconds an item stays in workqueue before being requested", WorkQueueBuckets, "name");
        WorkQueueWorkDuration = registry.CreateHistogram("workqueue_work_duration_seconds", "How long in seconds processing an item from workqueue takes.", WorkQueueBuckets, "name");
        Writes = registry.CreateCounter("meshbridge_writes_total", "Writes MeshBridge sent to the API server, by resource and verb", "resource", "verb");
        Conflicts = registry.CreateCounter("meshbridge_conflicts_total", "Conflicts MeshBridge met while writing, by reason", "reason");
        CertificateExpiration = registry.CreateGauge("meshbridge_certificate_expiration_timestamp_seconds", "When the workload certificate MeshBridge holds expires, in Unix seconds", "namespace", "service_account");
        CertificateRenewalFailures = registry.CreateCounter("meshbridge_certificate_renewal_failures_total", "Failed workload certificate renewals", "namespace", "service_account");
    }

    /// <summary>controller-runtime's reconcile-time buckets (since v0.15): finer below a second, up to a minute.</summary>
    public static IReadOnlyList<double> ReconcileTimeBuckets { get; } =
    [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
        1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ];

    /// <summary>
    /// <c>prometheus.ExponentialBuckets(10e-9, 10, 12)</c>, computed by repeated multiplication as client_golang does,
    /// so the bounds carry the same rounding (<c>le="9.999999999999999e-06"</c>) as a Go controller's.
    /// </summary>
    public static IReadOnlyList<double> WorkQueueBuckets { get; } = ExponentialBuckets(10e-9, 10, 12);

    public MetricsRegistry Registry { get; }

    public Counter ReconcileTotal { get; }

    public Counter ReconcileErrors { get; }

    public Histogram ReconcileTime { get; }

    public Gauge ActiveWorkers { get; }

    public Gauge MaxConcurrentReconciles { get; }

    public Gauge WorkQueueDepth { get; }

    public Counter WorkQueueAdds { get; }

    public Counter WorkQueueRetries { get; }

    public Histogram WorkQueueQueueDuration { get; }

    public Histogram WorkQueueWorkDuration { get; }

    public Counter Writes { get; }

    public Counter Conflicts { get; }

    public Gauge CertificateExpiration { get; }

    public Counter CertificateRenewalFailures { get; }

    /// <summary>The <c>result</c> a reconcile ends with, decided in controller-runtime's order: error, requeue-after, requeue, success.</summary>
    public static ReconcileOutcome Classify(ReconcileResult result, Exception? error = null) =>
        error is not null ? ReconcileOutcome.Error
        : result.RequeueAfter > TimeSpan.Zero ? ReconcileOutcome.RequeueAfter
        : result.Requeue ? ReconcileOutcome.Requeue
        : ReconcileOutcome.Success;

    /// <summary>
    /// A controller starts: its series appear at zero (controller-runtime's <c>initMetrics</c>), so a rate over a
    /// fresh process is not missing its first increase.
    /// </summary>
    public void RegisterController(string controller, int maxConcurrentReconciles)
    {
        foreach (var result in new[] { Success, Error, Requeue, RequeueAfter })
        {
            ReconcileTotal.WithLabels(controller, result);
        }

        ReconcileErrors.WithLabels(controller);
        ActiveWorkers.WithLabels(controller).Set(0);
        MaxConcurrentReconciles.WithLabels(controller).Set(maxConcurrentReconciles);
    }

    public void ReconcileCompleted(string controller, ReconcileOutcome outcome, TimeSpan duration)
    {
        ReconcileTotal.WithLabels(controller, Label(outcome)).Inc();
        if (outcome == ReconcileOutcome.Error)
        {
            ReconcileErrors.WithLabels(controller).Inc();
        }

        ReconcileTime.WithLabels(controller).Observe(duration.TotalSeconds);
    }

    public void WorkerStarted(string controller) => ActiveWorkers.WithLabels(controller).Inc();

    public void WorkerStopped(string controller) => ActiveWorkers.WithLabels(controller).Dec();

    /// <summary>The metrics a <see cref="Kubernetes.Queues.RateLimitingQueue{TKey}"/> named <paramref name="name"/> reports to.</summary>
    public WorkQueueMetrics ForQueue(string name) => new(name, this);

    public void RecordWrite(string resource, string verb) => Writes.WithLabels(resource, verb).Inc();

    public void RecordConflict(string reason) => Conflicts.WithLabels(reason).Inc();

    public void SetCertificateExpiration(string @namespace, string serviceAccount, DateTimeOffset notAfter) =>
        CertificateExpiration.WithLabels(@namespace, serviceAccount).Set(notAfter.ToUnixTimeMilliseconds() / 1000.0);

    public void RecordCertificateRenewalFailure(string @namespace, string serviceAccount) =>
        CertificateRenewalFailures.WithLabels(@namespace, serviceAccount).Inc();

    private static string Label(ReconcileOutcome outcome) => outcome switch
    {
        ReconcileOutcome.Success => Success,
        ReconcileOutcome.Error => Error,
        ReconcileOutcome.Requeue => Requeue,
        ReconcileOutcome.RequeueAfter => RequeueAfter,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not a reconcile outcome"),
    };

    private static double[] ExponentialBuckets(double start, double factor, int count)
    {
        var buckets = new double[count];
        for (var i = 0; i < count; i++)
        {
            buckets[i] = start;
            start *= factor;
        }

        return buckets;
    }
}
