namespace MeshBridge.Kubernetes.Queues;

/// <summary>Reports nowhere; the default until a metrics provider is wired in.</summary>
public sealed class NullWorkQueueMetrics : IWorkQueueMetrics
{
    public static readonly NullWorkQueueMetrics Instance = new();

    private NullWorkQueueMetrics()
    {
    }

    public void Added()
    {
    }

    public void Taken(TimeSpan timeInQueue)
    {
    }

    public void Done(TimeSpan workDuration)
    {
    }

    public void Retried()
    {
    }
}
