namespace MeshBridge.Controller.Operations;

/// <summary>The <c>result</c> label of <c>controller_runtime_reconcile_total</c>.</summary>
public enum ReconcileOutcome
{
    Success,
    Error,
    Requeue,
    RequeueAfter,
}
