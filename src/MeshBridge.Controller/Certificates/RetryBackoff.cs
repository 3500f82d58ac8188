namespace MeshBridge.Controller.Certificates;

/// <summary>The certificate sources' retry delay: <c>initial × 2^(failures−1)</c>, capped at <c>max</c>.</summary>
internal static class RetryBackoff
{
    public static TimeSpan After(int failures, TimeSpan initial, TimeSpan max) =>
        TimeSpan.FromTicks(Math.Min(max.Ticks, initial.Ticks * (1L << Math.Clamp(failures - 1, 0, 20))));
}
