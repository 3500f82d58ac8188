using System.CommandLine;
using System.Text.Json;
using MeshBridge.Cli.Diagnostics;

namespace MeshBridge.Cli.Commands;

/// <summary>
/// <c>meshbridge doctor</c>: describe's checks for every VirtualServer carrying <c>meshbridge.io/mode</c>, cluster-wide,
/// one row each, then the problems with their remedies. Same exit codes as describe.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("doctor", "Check every VirtualServer carrying meshbridge.io/mode, cluster-wide: one row each, then every problem with its remedy.\n" +
            "Exit code: 0 no error (warnings allowed), 1 at least one error, 2 usage, 3 an unusable kubeconfig, 4 the API server unreachable.");
        var shared = new DescribeCommand.SharedOptions();
        shared.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!shared.TryRead(parse, console, out var options, out var exit))
            {
                return exit;
            }

            return await DescribeCommand.RunAsync(console, shared, parse, async (client, now) =>
            {
                var snapshot = await ClusterReader.ReadAsync(client, options, cancellationToken).ConfigureAwait(false);
                var report = new DoctorReport { VirtualServers = MeshChecks.DescribeAll(snapshot, options, now) };
                if (shared.Json(parse))
                {
                    console.Out.WriteLine(JsonSerializer.Serialize(report, DiagnosticsJsonContext.Default.DoctorReport));
                }
                else
                {
                    ReportWriter.Write(console.Out, report);
                }

                return report.Errors > 0 ? DescribeCommand.ProblemsFound : ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }
}
