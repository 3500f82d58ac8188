using MeshBridge.Kubernetes.Queues;

namespace MeshBridge.Controller.Operations;

/// <summary>
/// The <c>workqueue_*</c> series of one named queue. The queue calls these under its lock, so each call only touches
/// series resolved once here.
/// </summary>
public sealed class WorkQueueMetrics : IWorkQueueMetrics
{
    private readonly GaugeSeries _depth;
    private readonly CounterSeries _adds;
    private readonly CounterSeries _retries;
    private readonly HistogramSeries _queueDuration;
    private readonly HistogramSeries _workDuration;

    internal WorkQueueMetrics(string name, ControllerMetrics metrics)
    {
        Name = name;
        _depth = metrics.WorkQueueDepth.WithLabels(name);
        _adds = metrics.WorkQueueAdds.WithLabels(name);
        _retries = metrics.WorkQueueRetries.WithLabels(name);
        _queueDuration = metrics.WorkQueueQueueDuration.WithLabels(name);
        _workDuration = metrics.WorkQueueWorkDuration.WithLabels(name);
    }

    /// <summary>The queue's <c>name</c> label.</summary>
    public string Name { get; }

    public void Added()
    {
        _adds.Inc();
        _depth.Inc();
    }

    public void Taken(TimeSpan timeInQueue)
    {
        _depth.Dec();
        _queueDuration.Observe(timeInQueue.TotalSeconds);
    }

    public void Done(TimeSpan workDuration) => _workDuration.Observe(workDuration.TotalSeconds);

    public void Retried() => _retries.Inc();
}
