using System.Globalization;

namespace MeshBridge.Bench;

/// <summary>
/// One size of the scenario and how to run it. <c>scenario</c> with no size runs the two sizes (1,000 over
/// 100 namespaces, then 10,000 over 1,000); <c>--servers N</c> runs one (namespaces default to N/10).
/// </summary>
internal sealed record ScenarioOptions
{
    public const string Usage = """
        scenario [--servers N [--namespaces M]] [--workers W] [--latency-samples K] [--timeout T] [--meshbridge PATH]
          Converges N sidecar-mode VirtualServers over M namespaces on the lab from a cold start with `meshbridge run`
          as a separate process, then restarts it (resync), annotates K more VirtualServers one at a time (latency),
          and measures the lab's raw guarded-patch limit at W concurrent writers. Without --servers: 1000/100, then
          10000/1000. Defaults: --workers 2, --latency-samples 200, --timeout 20m (per phase; s, m or h), and the
          controller built from src/MeshBridge.Cli in Release (or --meshbridge PATH to a built meshbridge.dll).
          Writes bench/results/scenario.md (one section per size; other sizes' sections are kept).
        """;

    public int Servers { get; init; }

    public int Namespaces { get; init; }

    public int Workers { get; init; } = 2;

    public int LatencySamples { get; init; } = 200;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(20);

    public string? Meshbridge { get; init; }

    /// <summary>The command line that runs exactly this size again.</summary>
    public string Command =>
        string.Create(CultureInfo.InvariantCulture, $"dotnet run -c Release --project bench/MeshBridge.Bench -- scenario --servers {Servers} --namespaces {Namespaces} ") +
        string.Create(CultureInfo.InvariantCulture, $"--workers {Workers} --latency-samples {LatencySamples} --timeout {FormatTimeout(Timeout)}") +
        (Meshbridge is null ? string.Empty : $" --meshbridge {Meshbridge}");

    public static string FormatTimeout(TimeSpan timeout) =>
        timeout.TotalSeconds % 3600 == 0 ? timeout.TotalHours.ToString("0", CultureInfo.InvariantCulture) + "h"
        : timeout.TotalSeconds % 60 == 0 ? timeout.TotalMinutes.ToString("0", CultureInfo.InvariantCulture) + "m"
        : timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + "s";

    /// <summary>The sizes to run; throws <see cref="ArgumentException"/> with what is wrong.</summary>
    public static IReadOnlyList<ScenarioOptions> Parse(IReadOnlyList<string> args)
    {
        var options = new ScenarioOptions();
        int? servers = null, namespaces = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--servers":
                    servers = Positive(name, value);
                    break;
                case "--namespaces":
                    namespaces = Positive(name, value);
                    break;
                case "--workers":
                    options = options with { Workers = Positive(name, value) };
                    break;
                case "--latency-samples":
                    options = options with { LatencySamples = int.TryParse(value, CultureInfo.InvariantCulture, out var k) && k >= 0 ? k : throw new ArgumentException($"{name}: expected a count, got \"{value}\"") };
                    break;
                case "--timeout":
                    options = options with { Timeout = ParseTimeout(value) };
                    break;
                case "--meshbridge":
                    options = options with { Meshbridge = File.Exists(value) ? Path.GetFullPath(value) : throw new ArgumentException($"--meshbridge: {value} does not exist") };
                    break;
                default:
                    throw new ArgumentException($"unknown option {name}");
            }
        }

        if (servers is null)
        {
            return namespaces is null
                ? [options with { Servers = 1_000, Namespaces = 100 }, options with { Servers = 10_000, Namespaces = 1_000 }]
                : throw new ArgumentException("--namespaces needs --servers");
        }

        return [options with { Servers = servers.Value, Namespaces = namespaces ?? Math.Max(1, servers.Value / 10) }];
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name}: expected a positive number, got \"{value}\"");

    private static TimeSpan ParseTimeout(string value)
    {
        var unit = value.Length > 0 && char.IsLetter(value[^1]) ? value[^1] : 's';
        var digits = value.Length > 0 && char.IsLetter(value[^1]) ? value[..^1] : value;
        if (!double.TryParse(digits, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            throw new ArgumentException($"--timeout: expected a duration like 90s, 20m or 1h, got \"{value}\"");
        }

        return unit switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => throw new ArgumentException($"--timeout: unknown unit '{unit}' (use s, m or h)"),
        };
    }
}
