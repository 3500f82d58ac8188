namespace MeshBridge.Controller.Operations;

/// <summary>What a readiness check says: ready, or not ready and why (the body of a 503 from <c>/readyz</c>).</summary>
public readonly record struct ReadinessStatus(bool IsReady, string Reason)
{
    public static ReadinessStatus Ready { get; } = new(true, "ok");

    public static ReadinessStatus NotReady(string reason) => new(false, reason);
}
