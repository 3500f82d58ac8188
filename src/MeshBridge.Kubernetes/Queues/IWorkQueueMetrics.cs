namespace MeshBridge.Kubernetes.Queues;

/// <summary>
/// What a queue reports for controller-runtime's <c>workqueue_*</c> metrics (client-go's <c>queueMetrics</c>):
/// adds, depth, queue latency, work duration and retries.
/// </summary>
/// <remarks>
/// Called while the queue holds its lock, as client-go does, so an implementation must be quick and must not call
/// back into the queue.
/// </remarks>
public interface IWorkQueueMetrics
{
    /// <summary>A key became pending: <c>workqueue_adds_total</c> +1 and <c>workqueue_depth</c> +1.</summary>
    void Added();

    /// <summary>A worker took a key that waited <paramref name="timeInQueue"/>: depth -1, observe <c>workqueue_queue_duration_seconds</c>.</summary>
    void Taken(TimeSpan timeInQueue);

    /// <summary>A worker finished a key after <paramref name="workDuration"/>: observe <c>workqueue_work_duration_seconds</c>.</summary>
    void Done(TimeSpan workDuration);

    /// <summary>A key was put back with a delay: <c>workqueue_retries_total</c> +1.</summary>
    void Retried();
}
