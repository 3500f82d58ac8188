using System.Globalization;
using MeshBridge.Lab.ApiServer;

namespace MeshBridge.Bench;

/// <summary>API requests the lab counted during one phase, by verb and resource.</summary>
internal sealed record RequestCounts(IReadOnlyDictionary<(string Verb, string Resource), long> Counts)
{
    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];

    public long Total => Counts.Values.Sum();

    public long Writes => Counts.Where(p => WriteVerbs.Contains(p.Key.Verb)).Sum(p => p.Value);

    /// <summary>Writes of Events (core/v1 and events.k8s.io/v1 share the plural).</summary>
    public long EventWrites => Counts.Where(p => WriteVerbs.Contains(p.Key.Verb) && p.Key.Resource == "events").Sum(p => p.Value);

    /// <summary>"list 9, watch 9, patch 1,001", most frequent first; "none" when empty.</summary>
    public string ByVerb => Join(Counts.GroupBy(p => p.Key.Verb).Select(g => (Name: g.Key, Count: g.Sum(p => p.Value))));

    /// <summary>"patch virtualservers 1,001, patch deployments 1"; "none" when there were no writes.</summary>
    public string WritesByResource => Join(Counts.Where(p => WriteVerbs.Contains(p.Key.Verb)).Select(p => (Name: $"{p.Key.Verb} {p.Key.Resource}", Count: p.Value)));

    public static RequestCounts Take(RequestCounters counters) => new(counters.Snapshot());

    /// <summary>These counts less requests the benchmark itself made.</summary>
    public RequestCounts Without(string verb, string resource, long count)
    {
        var counts = new Dictionary<(string Verb, string Resource), long>(Counts);
        counts[(verb, resource)] = counts.GetValueOrDefault((verb, resource)) - count;
        return new RequestCounts(counts.Where(p => p.Value != 0).ToDictionary(p => p.Key, p => p.Value));
    }

    private static string Join(IEnumerable<(string Name, long Count)> items)
    {
        var text = string.Join(", ", items.Where(i => i.Count != 0).OrderByDescending(i => i.Count).ThenBy(i => i.Name, StringComparer.Ordinal)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Name} {i.Count:N0}")));
        return text.Length == 0 ? "none" : text;
    }
}

/// <summary>
/// Cold start to converged: every VirtualServer asking for a mode carries <c>meshbridge.io/applied</c> and nothing was
/// written for 1 s. <see cref="Seconds"/> runs from starting the controller process to its last write (to the timeout
/// when it did not converge).
/// </summary>
internal sealed record ConvergeResult(
    bool Converged, string? Failure, double Seconds, double? ReadySeconds, int Applied, int Wanted, RequestCounts Requests, int ChangedObjects,
    double? IdleSeconds, double? Reconciles, double? Conflicts, long RssBytes, long PeakRssBytes, double CpuSeconds);

/// <summary>A restart on the converged cluster until it has reconciled every VirtualServer and is idle.</summary>
internal sealed record ResyncResult(bool Finished, double Seconds, double Reconciles, int Expected, RequestCounts Requests, long PeakRssBytes, double CpuSeconds);

/// <summary>Annotate PATCH returned → the controller's write seen, one VirtualServer at a time (sorted, ms).</summary>
internal sealed record LatencyResult(double[] LatenciesMs, int Requested, int TimedOut, RequestCounts Requests, int ChangedObjects, double? Conflicts)
{
    public double Percentile(double q) => GuardedPatchLoop.Percentile(LatenciesMs, q);
}

/// <summary>One size's figures; resync and latency are measured only after a convergence.</summary>
internal sealed record ScenarioResult(
    ScenarioOptions Options, DateTime Date, int VirtualServers, int Routes, int Services, int Fresh,
    ConvergeResult Converge, ResyncResult? Resync, LatencyResult? Latency, PatchLoopResult Raw, PatchLoopResult Floor, CpuShares Cpu);
