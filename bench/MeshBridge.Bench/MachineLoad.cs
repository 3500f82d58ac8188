using System.Diagnostics;
using System.Globalization;

namespace MeshBridge.Bench;

/// <summary>How busy the machine's cores were over a run, and how much of that was the run itself.</summary>
/// <param name="Machine">Busy share of all cores (from /proc/stat).</param>
/// <param name="Bench">The benchmark process (the lab API server and the benchmark's own client).</param>
/// <param name="Controller">The controller processes.</param>
internal sealed record CpuShares(double Machine, double Bench, double Controller)
{
    /// <summary>What neither the lab nor the controller used: other work sharing the machine.</summary>
    public double Other => Math.Max(0, Machine - Bench - Controller);
}

/// <summary>
/// Measures, over a run, the share of the machine's cores that was busy (/proc/stat) and the benchmark process's own
/// CPU time, so a report can say how much other work shared the cores with the lab and the controller.
/// </summary>
internal sealed class MachineLoad
{
    private readonly (long Busy, long Total)? start = ReadStat();
    private readonly TimeSpan benchStart = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long wallStart = Stopwatch.GetTimestamp();

    /// <param name="controllerCpuSeconds">CPU time the controller processes used during the run.</param>
    public CpuShares Measure(double controllerCpuSeconds)
    {
        var capacity = Stopwatch.GetElapsedTime(wallStart).TotalSeconds * Environment.ProcessorCount;
        var bench = (Process.GetCurrentProcess().TotalProcessorTime - benchStart).TotalSeconds;
        var machine = start is { } before && ReadStat() is { } after && after.Total > before.Total
            ? (after.Busy - before.Busy) / (double)(after.Total - before.Total)
            : double.NaN;
        return new CpuShares(machine, bench / capacity, controllerCpuSeconds / capacity);
    }

    /// <summary>All CPUs' busy and total ticks: the first line of /proc/stat, idle and iowait being the idle ticks.</summary>
    private static (long Busy, long Total)? ReadStat()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var total = fields.Take(8).Sum();
            return (total - fields[3] - fields[4], total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
