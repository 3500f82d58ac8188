using System.Diagnostics;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Bench;

/// <summary>An object to patch and the resourceVersion the first patch's <c>test</c> expects.</summary>
internal sealed record PatchTarget(string? Namespace, string Name, string ResourceVersion);

/// <summary>Writes made, the time they took, and each one's latency (sorted, ms).</summary>
internal sealed record PatchLoopResult(int Writes, double Seconds, double[] LatenciesMs)
{
    public double WritesPerSecond => Writes / Seconds;

    public double Percentile(double q) => GuardedPatchLoop.Percentile(LatenciesMs, q);
}

/// <summary>
/// The lab API server's raw write limit: a tight loop of JSON patches guarded by a <c>test</c> on
/// metadata.resourceVersion (the controller's write) at a fixed concurrency, each worker taking the next object in
/// turn. The loop makes at least one pass over the targets and keeps going until <c>minimumDuration</c> has passed;
/// each later patch of an object tests the resourceVersion its previous patch returned.
/// </summary>
internal static class GuardedPatchLoop
{
    /// <param name="change">The operation after the test, given a number unique to the write (so every write changes the object).</param>
    /// <param name="then">
    /// Another write the worker makes after each patch, within the same iteration (the floor loop's Event); an iteration
    /// then counts as one write of the result and its latency covers both.
    /// </param>
    public static async Task<PatchLoopResult> RunAsync(
        KubernetesApi client, ResourceType type, IReadOnlyList<PatchTarget> targets, int concurrency, Func<long, JsonObject> change, TimeSpan minimumDuration,
        Func<PatchTarget, long, CancellationToken, Task>? then = null, CancellationToken cancellationToken = default)
    {
        var versions = targets.Select(t => t.ResourceVersion).ToArray();
        var next = -1L;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>();
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= targets.Count && clock.Elapsed >= minimumDuration)
                {
                    return latencies;
                }

                var i = (int)(n % targets.Count);
                var started = Stopwatch.GetTimestamp();
                var patch = new JsonArray(new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = versions[i] }, change(n));
                var updated = await client.PatchAsync(type, targets[i].Namespace, targets[i].Name, new V1Patch(patch, PatchType.JsonPatch), null, null, cancellationToken);
                versions[i] = updated["metadata"]!["resourceVersion"]!.GetValue<string>();
                if (then is not null)
                {
                    await then(targets[i], n, cancellationToken);
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }, cancellationToken)).ToList();
        var all = (await Task.WhenAll(workers)).SelectMany(l => l).ToArray();
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(all);
        return new PatchLoopResult(all.Length, seconds, all);
    }

    /// <summary>Nearest-rank percentile of sorted values (NaN when there are none).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
