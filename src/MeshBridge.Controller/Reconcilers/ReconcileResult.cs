namespace MeshBridge.Controller.Reconcilers;

/// <summary>
/// controller-runtime's <c>reconcile.Result</c>: done (forget the key), requeue with the queue's backoff, or requeue
/// after a delay. An exception from a reconciler means requeue with backoff.
/// </summary>
public readonly record struct ReconcileResult(bool Requeue, TimeSpan? RequeueAfter)
{
    public static ReconcileResult Done => default;

    public static ReconcileResult Backoff => new(true, null);

    public static ReconcileResult After(TimeSpan delay) => new(false, delay);
}
