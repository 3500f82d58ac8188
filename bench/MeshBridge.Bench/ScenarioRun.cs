using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Transform;

namespace MeshBridge.Bench;

/// <summary>
/// One size of the scenario, phase by phase on one lab: cold-start convergence, a restart on the converged cluster
/// (resync), annotate-to-write latency, and the lab's raw guarded-patch limit at the controller's concurrency. The
/// controller is observed only from outside: the lab's request counters, watches on the lab's store, its /metrics
/// and /readyz, and /proc.
/// </summary>
internal sealed class ScenarioRun : IAsyncDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LatencySampleTimeout = TimeSpan.FromSeconds(30);

    private readonly ScenarioOptions options;
    private readonly ScenarioCluster cluster;
    private readonly ClusterWatch watch;
    private readonly string dll;
    private ControllerProcess? controller;
    private int starts;
    private double controllerCpuSeconds;

    private ScenarioRun(ScenarioOptions options, ScenarioCluster cluster, ClusterWatch watch, string dll)
    {
        this.options = options;
        this.cluster = cluster;
        this.watch = watch;
        this.dll = dll;
    }

    private LabApiServer Lab => cluster.Lab;

    public static async Task<ScenarioResult> RunAsync(ScenarioOptions options, string dll, CancellationToken cancellationToken)
    {
        var date = DateTime.UtcNow;
        var load = new MachineLoad();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scenario {options.Servers:N0} VirtualServers over {options.Namespaces:N0} namespaces: building the cluster"));
        await using var cluster = await ScenarioCluster.StartAsync(options.Servers, options.Namespaces, options.LatencySamples, cancellationToken);
        using var watch = new ClusterWatch(cluster.Lab);
        await using var run = new ScenarioRun(options, cluster, watch, dll);
        var virtualServers = watch.VirtualServers;
        var converge = await run.ConvergeAsync(cancellationToken);
        ResyncResult? resync = null;
        LatencyResult? latency = null;
        if (converge.Converged)
        {
            resync = await run.ResyncAsync(cancellationToken);
            if (resync.Finished)
            {
                latency = await run.LatencyAsync(cancellationToken);
            }
        }

        await run.StopControllerAsync();
        var raw = await run.RawLimitAsync(cancellationToken);
        var floor = await run.FloorAsync(cancellationToken);
        return new ScenarioResult(options, date, virtualServers, cluster.Routes, cluster.Services, cluster.Fresh.Count, converge, resync, latency, raw, floor, load.Measure(run.controllerCpuSeconds));
    }

    public async ValueTask DisposeAsync() => await StopControllerAsync();

    private async Task<ConvergeResult> ConvergeAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"  converge: {watch.Wanted:N0} VirtualServers ask for a mode; starting the controller cold");
        var (started, quiet) = StartController();
        double? ready = null;
        string? failure = null;
        var converged = false;
        var progress = Stopwatch.StartNew();
        while (true)
        {
            await Task.Delay(Poll, cancellationToken);
            if (controller!.Exit is { } exit)
            {
                failure = Invariant($"the controller {exit} after {Since(started):F0} s");
                Console.WriteLine($"  {failure}; last lines of its output:\n{controller.Tail()}");
                break;
            }

            var silence = quiet.Poll();
            if (ready is null && await controller.ReadyAsync(cancellationToken))
            {
                ready = Since(started);
            }

            if (watch.Applied == watch.Wanted && silence >= Quiet)
            {
                converged = true;
                break;
            }

            if (Stopwatch.GetElapsedTime(started) > options.Timeout)
            {
                break;
            }

            Report(progress, started, $"{watch.Applied:N0} of {watch.Wanted:N0} applied, {Lab.Counters.Writes():N0} writes");
        }

        var seconds = converged ? Stopwatch.GetElapsedTime(started, quiet.LastWriteAt).TotalSeconds : Since(started);
        var requests = RequestCounts.Take(Lab.Counters);
        var changed = watch.ChangedObjects;
        var rss = controller!.RssBytes;
        Console.WriteLine(converged ? Invariant($"  converged in {seconds:F1} s with {requests.Writes:N0} writes")
            : failure is null ? Invariant($"  did not converge in {ScenarioOptions.FormatTimeout(options.Timeout)}: {watch.Applied:N0} of {watch.Wanted:N0} applied")
            : Invariant($"  did not converge: {watch.Applied:N0} of {watch.Wanted:N0} applied when the controller stopped"));
        var idle = converged ? await IdleAsync(started + (long)(options.Timeout.TotalSeconds * Stopwatch.Frequency), expected: 0, cancellationToken) : null;
        var metrics = idle?.Metrics ?? await controller.ScrapeAsync(cancellationToken);
        return new ConvergeResult(converged, failure, seconds, ready, watch.Applied, watch.Wanted, requests, changed,
            idle?.Seconds(started), metrics?.Reconciles, metrics?.Conflicts, rss, controller.PeakRssBytes, controller.CpuSeconds);
    }

    private async Task<ResyncResult> ResyncAsync(CancellationToken cancellationToken)
    {
        await StopControllerAsync();
        var expected = watch.VirtualServers;
        Console.WriteLine($"  resync: restarting the controller on the converged cluster ({expected:N0} VirtualServers)");
        var (started, _) = StartController();
        var idle = await IdleAsync(started + (long)(options.Timeout.TotalSeconds * Stopwatch.Frequency), expected, cancellationToken);
        var requests = RequestCounts.Take(Lab.Counters);
        var metrics = idle?.Metrics ?? await controller!.ScrapeAsync(cancellationToken);
        Console.WriteLine(idle is null
            ? $"  resync did not finish in {ScenarioOptions.FormatTimeout(options.Timeout)} ({metrics?.Reconciles ?? 0:N0} of {expected:N0} reconciled)"
            : string.Create(CultureInfo.InvariantCulture, $"  resync: {metrics!.Reconciles:N0} reconciles in {idle.Seconds(started):F1} s, {requests.Writes:N0} writes"));
        return new ResyncResult(idle is not null, idle?.Seconds(started) ?? Since(started), metrics?.Reconciles ?? 0, expected, requests,
            controller!.PeakRssBytes, controller.CpuSeconds);
    }

    private async Task<LatencyResult> LatencyAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"  latency: annotating {cluster.Fresh.Count:N0} VirtualServers one at a time");
        watch.BeginPhase();
        Lab.Counters.Reset();
        var before = await controller!.ScrapeAsync(cancellationToken);
        var latencies = new List<double>();
        var requested = 0;
        var timedOut = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Timeout.TotalSeconds * Stopwatch.Frequency);
        foreach (var (ns, name) in cluster.Fresh)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                break;
            }

            controller!.ThrowIfExited();
            var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [MeshAnnotations.Mode] = "sidecar" } } };
            var updated = await cluster.Client.PatchAsync(ResourceTypes.VirtualServers, ns, name, new V1Patch(patch, PatchType.MergePatch), null, null, cancellationToken);
            var returned = Stopwatch.GetTimestamp();
            requested++;
            var version = long.Parse(updated["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            try
            {
                var seen = await watch.AppliedAfterAsync(watch.VirtualServerKey(ns, name), version).WaitAsync(LatencySampleTimeout, cancellationToken);
                latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(returned, seen).TotalMilliseconds));
            }
            catch (TimeoutException)
            {
                timedOut++;
            }
        }

        var after = (await IdleAsync(Stopwatch.GetTimestamp() + (long)(60 * Stopwatch.Frequency), expected: 0, cancellationToken))?.Metrics
            ?? await controller.ScrapeAsync(cancellationToken);
        var requests = RequestCounts.Take(Lab.Counters).Without("patch", "virtualservers", requested);
        latencies.Sort();
        var result = new LatencyResult([.. latencies], requested, timedOut, requests, watch.ChangedObjects, after?.Conflicts - before?.Conflicts);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  latency: p50 {result.Percentile(0.5):F0} ms, p99 {result.Percentile(0.99):F0} ms over {latencies.Count:N0} samples ({timedOut} timed out)"));
        return result;
    }

    /// <summary>The lab's own limit: guarded JSON patches of the scenario's VirtualServers at the controller's concurrency, controller stopped.</summary>
    private async Task<PatchLoopResult> RawLimitAsync(CancellationToken cancellationToken)
    {
        var targets = MeshedTargets();
        Console.WriteLine($"  raw limit: guarded JSON patches of {targets.Count:N0} VirtualServers, {options.Workers} at a time");
        var result = await GuardedPatchLoop.RunAsync(cluster.Client, ResourceTypes.VirtualServers, targets, options.Workers, RawChange, TimeSpan.FromSeconds(5), cancellationToken: cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  raw limit: {result.WritesPerSecond:F0} writes/s"));
        return result;
    }

    /// <summary>
    /// The floor under any controller that meshes a VirtualServer with the writes the issue asks for: the same guarded
    /// patch, then the events.k8s.io/v1 Event that records the decision, per VirtualServer, at the controller's
    /// concurrency with the controller stopped. No reconcile, no watch, no cache: only the lab's cost of those writes.
    /// </summary>
    private async Task<PatchLoopResult> FloorAsync(CancellationToken cancellationToken)
    {
        var targets = MeshedTargets();
        Console.WriteLine($"  floor: guarded JSON patch + Event per VirtualServer, {options.Workers} at a time");
        var result = await GuardedPatchLoop.RunAsync(cluster.Client, ResourceTypes.VirtualServers, targets, options.Workers, RawChange, TimeSpan.FromSeconds(5),
            (target, n, ct) => cluster.Client.CreateAsync(ResourceTypes.Events, target.Namespace, DecisionEvent(target, n), null, ct), cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  floor: {result.WritesPerSecond:F0} VirtualServers/s"));
        return result;
    }

    private List<PatchTarget> MeshedTargets()
    {
        var resource = StoreKey.ResourceId(Lab.Catalog.Find("k8s.nginx.org/v1", "virtualservers")!);
        return Lab.Store.List(resource, null).Items
            .Where(o => o["metadata"]!["annotations"] is JsonObject)
            .Select(o => new PatchTarget(o["metadata"]!["namespace"]!.GetValue<string>(), o["metadata"]!["name"]!.GetValue<string>(), o["metadata"]!["resourceVersion"]!.GetValue<string>()))
            .ToList();
    }

    private static JsonObject RawChange(long n) =>
        new() { ["op"] = "add", ["path"] = "/metadata/annotations/bench.meshbridge.io~1raw", ["value"] = n.ToString(CultureInfo.InvariantCulture) };

    /// <summary>An Event shaped like the controller's <c>Meshed</c> Event (EventRecorder), about the target.</summary>
    private static JsonObject DecisionEvent(PatchTarget target, long n) => new()
    {
        ["apiVersion"] = "events.k8s.io/v1",
        ["kind"] = "Event",
        ["metadata"] = new JsonObject { ["generateName"] = $"{target.Name}.", ["namespace"] = target.Namespace },
        ["eventTime"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        ["reportingController"] = "meshbridge.io/controller",
        ["reportingInstance"] = "bench-floor",
        ["action"] = "Reconcile",
        ["reason"] = "Meshed",
        ["type"] = "Normal",
        ["note"] = string.Create(CultureInfo.InvariantCulture, $"meshed in sidecar mode (bench write {n})"),
        ["regarding"] = new JsonObject { ["apiVersion"] = "k8s.nginx.org/v1", ["kind"] = "VirtualServer", ["namespace"] = target.Namespace, ["name"] = target.Name },
    };

    private (long Started, WriteQuiet Quiet) StartController()
    {
        watch.BeginPhase();
        Lab.Counters.Reset();
        var quiet = new WriteQuiet(Lab.Counters);
        var started = Stopwatch.GetTimestamp();
        controller = ControllerProcess.Start(dll, cluster.Kubeconfig, options.Workers, Path.Combine(cluster.WorkDirectory, $"controller-{++starts}.log"));
        return (started, quiet);
    }

    private async Task StopControllerAsync()
    {
        if (controller is not null)
        {
            await controller.DisposeAsync();
            controllerCpuSeconds += controller.CpuSeconds;
            controller = null;
        }
    }

    /// <summary>
    /// Waits until the controller has made at least <paramref name="expected"/> reconciles, its queue is empty, no
    /// worker is busy and nothing was written for 1 s; null at the deadline. The time is when that state began.
    /// </summary>
    private async Task<Idle?> IdleAsync(long deadline, int expected, CancellationToken cancellationToken)
    {
        var quiet = new WriteQuiet(Lab.Counters);
        long? since = null;
        var progress = Stopwatch.StartNew();
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(Poll, cancellationToken);
            controller!.ThrowIfExited();
            var silence = quiet.Poll();
            var metrics = await controller.ScrapeAsync(cancellationToken);
            if (metrics is { Idle: true } && metrics.Reconciles >= expected)
            {
                since ??= Stopwatch.GetTimestamp();
                if (silence >= Quiet && Stopwatch.GetElapsedTime(since.Value) >= Quiet)
                {
                    return new Idle(Math.Max(since.Value, quiet.LastWriteAt), metrics);
                }
            }
            else
            {
                since = null;
            }

            Report(progress, started, $"{metrics?.Reconciles ?? 0:N0} reconciles, queue {metrics?.QueueDepth ?? 0:N0}, {Lab.Counters.Writes():N0} writes");
        }

        return null;
    }

    private void Report(Stopwatch progress, long started, string state)
    {
        if (progress.Elapsed >= TimeSpan.FromSeconds(10))
        {
            progress.Restart();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {Since(started),6:F0} s: {state}, controller RSS {controller!.RssBytes / 1048576.0:F0} MB"));
        }
    }

    private static double Since(long started) => Stopwatch.GetElapsedTime(started).TotalSeconds;

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>Idle from <paramref name="At"/> (a Stopwatch timestamp), with the metrics that showed it.</summary>
    private sealed record Idle(long At, ControllerMetricsSample Metrics)
    {
        public double Seconds(long started) => Stopwatch.GetElapsedTime(started, At).TotalSeconds;
    }

    /// <summary>When the lab last counted a write, from polling its counters.</summary>
    private sealed class WriteQuiet(RequestCounters counters)
    {
        private long writes = counters.Writes();

        public long LastWriteAt { get; private set; } = Stopwatch.GetTimestamp();

        /// <summary>How long since the last write.</summary>
        public TimeSpan Poll()
        {
            var now = counters.Writes();
            if (now != writes)
            {
                writes = now;
                LastWriteAt = Stopwatch.GetTimestamp();
            }

            return Stopwatch.GetElapsedTime(LastWriteAt);
        }
    }
}
