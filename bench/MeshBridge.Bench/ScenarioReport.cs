using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MeshBridge.Bench;

/// <summary>
/// bench/results/scenario.md: what the scenario measures, then one section per size with its figures and the issue's
/// targets marked met or not met. Writing one size keeps the other sizes' sections, so sizes can be re-run alone.
/// </summary>
internal static partial class ScenarioReport
{
    public const string FileName = "scenario.md";

    private const double MaxWritesPerObject = 1.05;
    private const double MinShareOfLimit = 0.70;
    private const double MaxRssMb = 150;
    private const int RssTargetSize = 10_000;

    private const string Header = """
        # Convergence scenario (issue 4, item 6)

        `meshbridge run` against the lab API server with the real NIC v5.5.4 CRDs, from a cold start. The cluster: the
        seed scenario (two NIC instances, Istio's ConfigMaps; its egress-mtls VirtualServer removed, as `meshbridge run`
        has no certificate source yet) plus N VirtualServers asking for `meshbridge.io/mode: sidecar` over M namespaces
        labelled `istio-injection: enabled`, each with two upstreams (and their Services) and two routes, one in ten also
        routing `/shop` to a VirtualServerRoute, and K more VirtualServers without the annotation (the unmeshed part of the
        cluster, annotated one by one later for the latency figure). All are served by the seed's `nginx-sidecar` NIC
        instance. The controller runs as its own process (`dotnet meshbridge.dll run`, Release build); the lab API server
        and the benchmark share another process on the same machine. `dotnet run -c Release --project
        bench/MeshBridge.Bench -- scenario` runs both sizes; each section gives the command for its size.

        - **time to converge**: from starting the controller process to its last write, once every VirtualServer asking
          for a mode carries `meshbridge.io/applied` and nothing has been written for 1 s (so it includes process start-up
          and the initial list). **Converge rate**: VirtualServers meshed per second of that.
        - **raw write limit**: the lab's own throughput for the controller's kind of write — JSON patches of the same
          VirtualServers guarded by a `test` on metadata.resourceVersion (plus one annotation), in a tight loop from the
          benchmark process at the controller's worker count, controller stopped, for at least 5 s.
        - **floor**: what any controller must write to mesh a VirtualServer as the issue asks — the same guarded patch, then
          the events.k8s.io/v1 Event recording the decision — in the same tight loop (patch, then Event, per
          VirtualServer), controller stopped: no reconcile, watch or cache, only the lab's cost of those two writes. It
          is the ceiling for the converge rate on this machine, so **converge rate / floor** says how close the
          controller comes to it.
        - **writes**: create/update/patch/delete requests the lab counted, including those refused by a conflict (from the
          controller's `meshbridge_conflicts_total`). **Writes per changed object**: writes other than
          Events over the distinct VirtualServers, VirtualServerRoutes, Policies, NIC workloads and Secrets created,
          changed or deleted.
        - **resync**: the controller restarted on the converged cluster (a full list and a reconcile of every
          VirtualServer), until `controller_runtime_reconcile_total` reaches the number of VirtualServers, the work queue
          is empty and nothing has been written for 1 s.
        - **latency**: a merge patch adds `meshbridge.io/mode: sidecar` to one unannotated VirtualServer at a time; from the
          PATCH returning to the lab's store committing the controller's write that carries `meshbridge.io/applied`.
        - **CPU over the run**: the share of all cores busy from /proc/stat, split into the benchmark process (lab API
          server and benchmark client), the controller processes, and other work on the machine.
        - **RSS**: VmRSS and peak VmHWM of the controller process from /proc/&lt;pid&gt;/status, sampled every 100 ms.
        """;

    public static string FilePath => BenchPaths.Result(FileName);

    public static string Section(ScenarioResult r, string controllerVersion)
    {
        var o = r.Options;
        var c = r.Converge;
        var text = Start(o, r.Date, controllerVersion);
        text.AppendLine(Invariant($"Cluster: {c.Wanted:N0} VirtualServers asking for sidecar mode ({o.Servers:N0} + the seed's one), {r.Fresh:N0} without the annotation, {r.Routes:N0} VirtualServerRoutes, {r.Services:N0} Services, {o.Namespaces:N0} namespaces."))
            .AppendLine()
            .AppendLine("| measure | value |")
            .AppendLine("|---|---|");
        var rate = c.Applied / c.Seconds;
        var share = rate / r.Raw.WritesPerSecond;
        var perObject = c.ChangedObjects == 0 ? double.NaN : (c.Requests.Writes - c.Requests.EventWrites) / (double)c.ChangedObjects;
        var limiter = new MeshBridge.Kubernetes.Client.KubernetesClientOptions();
        Row(text, "time to ready (`/readyz`)", c.ReadySeconds is { } ready ? Invariant($"{ready:F1} s") : "not ready");
        Row(text, "time to converge", c.Converged ? Invariant($"{c.Seconds:F1} s")
            : c.Failure is { } failure ? Invariant($"**did not converge: {failure}** ({c.Applied:N0} of {c.Wanted:N0} converged)")
            : Invariant($"**did not converge in {ScenarioOptions.FormatTimeout(o.Timeout)}** ({c.Applied:N0} of {c.Wanted:N0} converged)"));
        Row(text, "converge rate", Invariant($"{rate:F1} VirtualServers/s") + (c.Converged ? string.Empty : " (so far)"));
        Row(text, Invariant($"raw write limit ({o.Workers} writers)"), Invariant($"{r.Raw.WritesPerSecond:N0} writes/s (p50 {r.Raw.Percentile(0.5):F1} ms, p99 {r.Raw.Percentile(0.99):F1} ms; {r.Raw.Writes:N0} writes)"));
        Row(text, "converge rate / raw limit", Invariant($"{share:P2}"));
        Row(text, Invariant($"floor: guarded patch + Event per VirtualServer ({o.Workers} writers)"), Invariant($"{r.Floor.WritesPerSecond:N0} VirtualServers/s (p50 {r.Floor.Percentile(0.5):F1} ms, p99 {r.Floor.Percentile(0.99):F1} ms per pair); {r.Floor.WritesPerSecond / r.Raw.WritesPerSecond:P0} of the raw limit"));
        Row(text, "converge rate / floor", Invariant($"{rate / r.Floor.WritesPerSecond:P2}"));
        Row(text, "writes during convergence", Invariant($"{c.Requests.Writes:N0}: {c.Requests.WritesByResource}") +
            (c.Conflicts is { } conflicts ? Invariant($"; {conflicts:N0} refused by a conflict and retried") : string.Empty));
        Row(text, "writes per VirtualServer", Invariant($"{c.Requests.Writes / (double)Math.Max(1, c.Applied):F3}"));
        Row(text, "writes per changed object (Events aside)", Invariant($"{perObject:F3} ({c.Requests.Writes - c.Requests.EventWrites:N0} writes, {c.ChangedObjects:N0} objects)"));
        Row(text, "requests by verb (convergence)", c.Requests.ByVerb);
        Row(text, "controller request rate", Invariant($"{c.Requests.Total / c.Seconds:F1} requests/s (its client's limiter defaults to {limiter.Qps:0} QPS, burst {limiter.Burst})"));
        Row(text, "reconciles", c.Reconciles is not { } reconciles ? "not measured"
            : c.IdleSeconds is { } idle ? Invariant($"{reconciles:N0} until idle ({idle:F1} s after start)")
            : Invariant($"{reconciles:N0} in {ScenarioOptions.FormatTimeout(o.Timeout)}, still busy"));
        Row(text, "controller CPU (convergence)", Invariant($"{c.CpuSeconds:F1} s"));
        if (r.Resync is { } s)
        {
            Row(text, "resync: writes", Invariant($"{s.Requests.Writes:N0}") + (s.Requests.Writes == 0 ? string.Empty : $": {s.Requests.WritesByResource}"));
            Row(text, "resync: requests by verb", s.Requests.ByVerb);
            Row(text, "resync: time", s.Finished
                ? Invariant($"{s.Seconds:F1} s for {s.Reconciles:N0} reconciles of {s.Expected:N0} VirtualServers")
                : Invariant($"**did not finish in {ScenarioOptions.FormatTimeout(o.Timeout)}** ({s.Reconciles:N0} of {s.Expected:N0} reconciled)"));
            Row(text, "resync: controller CPU", Invariant($"{s.CpuSeconds:F1} s"));
        }
        else
        {
            Row(text, "resync", "not measured (did not converge)");
        }

        Row(text, "controller RSS (VmRSS)", Invariant($"{Mb(c.RssBytes):F0} MB when ") + (c.Converged ? "converged" : c.Failure is null ? "stopped at the timeout" : "last sampled"));
        Row(text, "peak RSS (VmHWM)", Invariant($"{Mb(c.PeakRssBytes):F0} MB cold start") + (r.Resync is { } rs ? Invariant($", {Mb(rs.PeakRssBytes):F0} MB after the restart") : string.Empty));
        if (r.Latency is { } l)
        {
            Row(text, Invariant($"latency annotate → write ({l.LatenciesMs.Length:N0} samples)"), l.LatenciesMs.Length == 0
                ? "no samples"
                : Invariant($"p50 {l.Percentile(0.5):F1} ms, p99 {l.Percentile(0.99):F1} ms, max {l.LatenciesMs[^1]:F1} ms") + (l.TimedOut == 0 ? string.Empty : Invariant($"; {l.TimedOut} timed out after 30 s")));
            Row(text, "writes per annotation", Invariant($"{l.Requests.Writes / (double)Math.Max(1, l.Requested):F3} ({l.Requests.Writes:N0}: {l.Requests.WritesByResource}") +
                (l.Conflicts is { } refused ? Invariant($"; {refused:N0} refused by a conflict") : string.Empty) + ")");
        }
        else
        {
            Row(text, "latency", "not measured (did not converge or resync did not finish)");
        }

        Row(text, Invariant($"CPU over the run ({Environment.ProcessorCount} cores)"),
            Invariant($"machine {r.Cpu.Machine:P0} busy: lab and benchmark {r.Cpu.Bench:P0}, controller {r.Cpu.Controller:P0}, other work {r.Cpu.Other:P0}") +
            (r.Cpu.Other > 0.1 ? " — other work shared the cores, so times, rates and latencies are pessimistic" : string.Empty));

        var peak = Mb(Math.Max(c.PeakRssBytes, r.Resync?.PeakRssBytes ?? 0));
        text.AppendLine()
            .AppendLine("| target | figure | verdict |")
            .AppendLine("|---|---|---|");
        Target(text, Invariant($"≤ {MaxWritesPerObject} writes per changed object"), Invariant($"{perObject:F3}"), perObject <= MaxWritesPerObject, c.Converged ? null : "so far; did not converge");
        Target(text, "0 writes on resync", r.Resync is { } resync ? Invariant($"{resync.Requests.Writes:N0}") : "—", r.Resync?.Requests.Writes == 0, r.Resync is null ? "not measured" : null);
        Target(text, Invariant($"converge rate ≥ {MinShareOfLimit:P0} of the raw write limit"), Invariant($"{share:P2}"), c.Converged && share >= MinShareOfLimit, null);
        Target(text, Invariant($"peak RSS ≤ {MaxRssMb:0} MB at {RssTargetSize:N0}"), Invariant($"{peak:F0} MB at {o.Servers:N0}"), peak <= MaxRssMb,
            o.Servers < RssTargetSize ? "the target is for 10,000" : c.Converged ? null : "so far; did not converge");
        return End(text);
    }

    public static string Failure(ScenarioOptions o, DateTime date, string controllerVersion, Exception error)
    {
        var text = Start(o, date, controllerVersion);
        text.AppendLine("**The run failed:**").AppendLine().AppendLine("```").AppendLine(error.Message.Trim()).AppendLine("```");
        return End(text);
    }

    /// <summary>Writes the file with this size's section replaced (or added), other sizes' kept, smallest first.</summary>
    public static void Write(ScenarioOptions o, string section)
    {
        var sections = new SortedDictionary<(int Servers, int Namespaces), string>();
        if (File.Exists(FilePath))
        {
            foreach (Match m in SectionPattern().Matches(File.ReadAllText(FilePath)))
            {
                sections[(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))] = m.Value.TrimEnd() + "\n";
            }
        }

        sections[(o.Servers, o.Namespaces)] = section;
        File.WriteAllText(FilePath, Header + "\n" + string.Join("\n", sections.Values));
    }

    /// <summary>The commit the controller was built from, and whether src/ had uncommitted changes.</summary>
    public static async Task<string> ControllerVersionAsync(CancellationToken cancellationToken)
    {
        try
        {
            var commit = (await ChildCommand.RunAsync("git", ["-C", BenchPaths.Root, "rev-parse", "--short", "HEAD"], cancellationToken)).Trim();
            var dirty = (await ChildCommand.RunAsync("git", ["-C", BenchPaths.Root, "status", "--porcelain", "--", "src"], cancellationToken)).Trim().Length > 0;
            return $"commit {commit}" + (dirty ? " with uncommitted changes in src/" : string.Empty);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return "an unknown commit (git unavailable)";
        }
    }

    private static StringBuilder Start(ScenarioOptions o, DateTime date, string controllerVersion) => new StringBuilder()
        .AppendLine(Invariant($"<!-- scenario {o.Servers}x{o.Namespaces} -->"))
        .AppendLine(Invariant($"## {o.Servers:N0} VirtualServers over {o.Namespaces:N0} namespaces"))
        .AppendLine()
        .AppendLine(Invariant($"{date:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {MemoryGiB():F0} GiB, .NET {Environment.Version}; controller built from {controllerVersion}, {o.Workers} workers:"))
        .AppendLine()
        .AppendLine(Invariant($"    {o.Command}"))
        .AppendLine();

    private static string End(StringBuilder text) => text.AppendLine("<!-- /scenario -->").ToString();

    private static void Row(StringBuilder text, string measure, string value) => text.AppendLine($"| {measure} | {value} |");

    private static void Target(StringBuilder text, string target, string figure, bool met, string? note)
    {
        var verdict = note == "not measured" ? "not measured" : met ? "met" : "**not met**";
        text.AppendLine($"| {target} | {figure} | {verdict}{(note is null or "not measured" ? string.Empty : $" ({note})")} |");
    }

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;

    private static double MemoryGiB()
    {
        var line = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        return line is null ? double.NaN : long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    [GeneratedRegex(@"<!-- scenario (\d+)x(\d+) -->.*?<!-- /scenario -->", RegexOptions.Singleline)]
    private static partial Regex SectionPattern();
}
