using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MeshBridge.Bench;

/// <summary>
/// What the controller's /metrics said: reconciles so far (every result), queue depth, busy workers, and writes
/// refused by a conflict (MeshBridge's own <c>meshbridge_conflicts_total</c>; 0 if it is not served).
/// </summary>
internal sealed record ControllerMetricsSample(double Reconciles, double QueueDepth, double ActiveWorkers, double Conflicts)
{
    public bool Idle => QueueDepth == 0 && ActiveWorkers == 0;

    /// <summary>Sums the samples of the three families in Prometheus text format (any labels).</summary>
    public static ControllerMetricsSample Parse(string text)
    {
        double reconciles = 0, depth = 0, active = 0, conflicts = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var name = line[..line.IndexOfAny(['{', ' '])];
            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            switch (name)
            {
                case "controller_runtime_reconcile_total":
                    reconciles += value;
                    break;
                case "workqueue_depth":
                    depth += value;
                    break;
                case "controller_runtime_active_workers":
                    active += value;
                    break;
                case "meshbridge_conflicts_total":
                    conflicts += value;
                    break;
            }
        }

        return new ControllerMetricsSample(reconciles, depth, active, conflicts);
    }
}

/// <summary>
/// <c>meshbridge run</c> as a separate process (<c>dotnet meshbridge.dll run ...</c>), as it is deployed, so its memory
/// is its own: VmRSS and VmHWM are sampled from /proc/&lt;pid&gt;/status every 100 ms. Its output goes to a log file;
/// it is stopped with SIGTERM (a graceful stop), and killed only if it does not exit within 30 s.
/// </summary>
internal sealed class ControllerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;
    private readonly Queue<string> tail = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Uri metrics;
    private readonly Uri readiness;
    private readonly CancellationTokenSource stopSampling = new();
    private readonly Task sampling;
    private long peakRss;
    private long rss;

    private ControllerProcess(Process process, StreamWriter log, int metricsPort, int probePort)
    {
        this.process = process;
        this.log = log;
        metrics = new Uri($"http://127.0.0.1:{metricsPort}/metrics");
        readiness = new Uri($"http://127.0.0.1:{probePort}/readyz");
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        sampling = Task.Run(SampleAsync);
    }

    public int Id => process.Id;

    /// <summary>The highest VmHWM (peak resident set) seen, in bytes.</summary>
    public long PeakRssBytes => Interlocked.Read(ref peakRss);

    /// <summary>The last VmRSS seen, in bytes.</summary>
    public long RssBytes => Interlocked.Read(ref rss);

    /// <summary>User + system CPU time the process has used (0 once it is gone).</summary>
    public double CpuSeconds { get; private set; }

    /// <summary>Null while it runs; how it ended otherwise ("exited with code 1").</summary>
    public string? Exit => process.HasExited
        ? process.ExitCode switch
        {
            143 => "was stopped by a SIGTERM the benchmark did not send (exit code 143)",
            137 => "was killed by SIGKILL (exit code 137; the OOM killer?)",
            var code => $"exited with code {code}",
        }
        : null;

    /// <summary>Builds src/MeshBridge.Cli in Release and returns the path of its meshbridge.dll.</summary>
    public static async Task<string> BuildAsync(CancellationToken cancellationToken)
    {
        var project = Path.Combine(BenchPaths.Root, "src", "MeshBridge.Cli", "MeshBridge.Cli.csproj");
        Console.WriteLine($"building {project} (Release)");
        await ChildCommand.RunAsync("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "q"], cancellationToken);
        var path = (await ChildCommand.RunAsync("dotnet", ["msbuild", project, "-nologo", "-p:Configuration=Release", "-getProperty:TargetPath"], cancellationToken)).Trim();
        return File.Exists(path) ? path : throw new FileNotFoundException($"the build reported {path}, which does not exist", path);
    }

    public static ControllerProcess Start(string dll, string kubeconfig, int workers, string logPath)
    {
        var metricsPort = FreePort();
        var probePort = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     dll, "run", "--kubeconfig", kubeconfig, "--workers", workers.ToString(CultureInfo.InvariantCulture),
                     "--metrics-bind-address", $"127.0.0.1:{metricsPort}", "--health-probe-bind-address", $"127.0.0.1:{probePort}",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        return new ControllerProcess(process, log, metricsPort, probePort);
    }

    public async Task<bool> ReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(readiness, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The controller's metrics, or null while it is not listening yet.</summary>
    public async Task<ControllerMetricsSample?> ScrapeAsync(CancellationToken cancellationToken)
    {
        try
        {
            return ControllerMetricsSample.Parse(await http.GetStringAsync(metrics, cancellationToken));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Throws, with the end of its log, when the controller has exited.</summary>
    public void ThrowIfExited()
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"the controller {Exit}; last lines of its output:\n{Tail()}");
        }
    }

    public string Tail()
    {
        lock (tail)
        {
            return string.Join('\n', tail);
        }
    }

    /// <summary>SIGTERM, then SIGKILL after 30 s; the figures are sampled one last time first.</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        Sample();
        await ChildCommand.RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)], CancellationToken.None);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"the controller (pid {process.Id}) did not stop within 30 s of SIGTERM; killing it");
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await stopSampling.CancelAsync();
        await sampling;
        process.Dispose();
        http.Dispose();
        stopSampling.Dispose();
        lock (tail)
        {
            log.Dispose();
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (tail)
        {
            log.WriteLine(line);
            tail.Enqueue(line);
            if (tail.Count > 40)
            {
                tail.Dequeue();
            }
        }
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(stopSampling.Token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped with the process.
        }
    }

    private void Sample()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var hwm = Kilobytes(line);
                    if (hwm > Interlocked.Read(ref peakRss))
                    {
                        Interlocked.Exchange(ref peakRss, hwm);
                    }
                }
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    Interlocked.Exchange(ref rss, Kilobytes(line));
                }
            }

            process.Refresh();
            CpuSeconds = process.TotalProcessorTime.TotalSeconds;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // The process has gone; the last figures stand.
        }
    }

    private static long Kilobytes(string line) =>
        1024 * long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
