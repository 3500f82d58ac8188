using System.Globalization;
using System.Runtime.InteropServices;

namespace MeshBridge.Bench;

/// <summary>
/// The issue-4 convergence scenario (<see cref="ScenarioOptions.Usage"/>): each size on a fresh lab, its section
/// written to bench/results/scenario.md as soon as it is done. A size that fails gets a section saying so, and the
/// exit code is 1.
/// </summary>
internal static class ScenarioBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        IReadOnlyList<ScenarioOptions> sizes;
        try
        {
            sizes = ScenarioOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}\n\n{ScenarioOptions.Usage}");
            return 2;
        }

        try
        {
            ScenarioCluster.NicCrds();
        }
        catch (FileNotFoundException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }

        // Ctrl+C, or a SIGTERM (from `timeout`, say), stops the controller process before the benchmark exits, so it is
        // never left running orphaned.
        using var cancel = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            return await RunSizesAsync(sizes, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("scenario: stopped by a signal; the controller process was shut down");
            return 130;
        }
    }

    private static async Task<int> RunSizesAsync(IReadOnlyList<ScenarioOptions> sizes, CancellationToken cancellationToken)
    {
        var dll = sizes[0].Meshbridge ?? await ControllerProcess.BuildAsync(cancellationToken);
        var version = await ScenarioReport.ControllerVersionAsync(cancellationToken);
        var exitCode = 0;
        foreach (var size in sizes)
        {
            string section;
            try
            {
                section = ScenarioReport.Section(await ScenarioRun.RunAsync(size, dll, cancellationToken), version);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"scenario {size.Servers}/{size.Namespaces} failed: {e}"));
                section = ScenarioReport.Failure(size, DateTime.UtcNow, version, e);
                exitCode = 1;
            }

            ScenarioReport.Write(size, section);
            Console.WriteLine();
            Console.Write(section);
        }

        Console.WriteLine($"written to {ScenarioReport.FilePath}");
        return exitCode;
    }
}
