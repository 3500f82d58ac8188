using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using MeshBridge.Cli.Lab;
using MeshBridge.Controller.Certificates;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.Scenarios;
using MeshBridge.Lab.Sds;

namespace MeshBridge.Cli.Commands;

/// <summary>
/// <c>meshbridge lab</c>: a lab Kubernetes API server on loopback (HTTPS, its own CA) with a scenario loaded and a
/// kubeconfig written for it, and the MeshBridge controller running in process against it; each time the controller
/// has converged it prints what MeshBridge changed, as a diff per object.
/// </summary>
internal static partial class LabCommand
{
    public const string ReadyLine = "meshbridge lab: ready";

    public static Command Create(CliConsole console)
    {
        var scenario = new Option<string>("--scenario")
        {
            Description = "The cluster to start with: empty, or seed (the NIC + Istio blog cluster: two NIC instances, httpbin, two VirtualServers).",
            DefaultValueFactory = _ => "seed",
        };
        scenario.AcceptOnlyFromAmong([.. LabScenarios.Names]);
        var kubeconfig = new Option<string>("--kubeconfig")
        {
            Description = "Where to write the kubeconfig for the lab.",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "meshbridge-lab", "kubeconfig"),
        };
        var port = new Option<int>("--port") { Description = "The loopback port to serve on; 0 picks a free one.", DefaultValueFactory = _ => 0 };
        var noController = new Option<bool>("--no-controller") { Description = "Serve the API only; do not run the MeshBridge controller in process against it." };
        var exitWhenConverged = new Option<bool>("--exit-when-converged")
        {
            Description = "Stop after MeshBridge has converged and its changes are printed: exit 0, or 1 if the controller failed or did not converge within --timeout.",
        };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "How long to wait for the first convergence: 60s (the default), 2m, 1m30s, ...",
            HelpName = "duration",
            CustomParser = ParseDuration,
        };
        var sdsSocket = new Option<string?>("--sds-socket")
        {
            Description = $"Also serve a lab SDS server on this Unix socket for NIC's identity ({LabSdsOptions.DefaultSpiffeId}), as istio-agent or SPIRE would, and take egress-mtls certificates from it (the sds source) instead of the lab Istio CA; try 'meshbridge certificate fetch --sds-socket PATH'.",
            HelpName = "PATH",
        };
        var sdsFlavour = new Option<string>("--sds-flavour")
        {
            Description = "The SDS server to imitate: istio-agent (default and ROOTCA, node id required) or spire (also by SPIFFE ID and spiffe://<trust domain>, PKCS#8 keys).",
            DefaultValueFactory = _ => "istio-agent",
            HelpName = "FLAVOUR",
        };
        sdsFlavour.AcceptOnlyFromAmong("istio-agent", "spire");
        var command = new Command("lab", "Run a lab Kubernetes API server on this machine with a scenario loaded and MeshBridge running against it; print what MeshBridge changed, until stopped (Ctrl+C).");
        foreach (var option in new Option[] { scenario, kubeconfig, port, noController, exitWhenConverged, timeout, sdsSocket, sdsFlavour })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var server = await LabApiServer.StartAsync(new LabApiServerOptions { Port = parse.GetValue(port) }, cancellationToken).ConfigureAwait(false);
            LabScenarios.Load(server, parse.GetValue(scenario)!);
            var path = server.WriteKubeconfig(parse.GetValue(kubeconfig)!);
            var once = parse.GetValue(exitWhenConverged) && !parse.GetValue(noController);
            await using var sds = parse.GetValue(sdsSocket) is { Length: > 0 } socketPath
                ? await LabSdsServer.StartAsync(
                    new LabSdsOptions { SocketPath = socketPath, Flavour = parse.GetValue(sdsFlavour) == "spire" ? LabSdsFlavour.Spire : LabSdsFlavour.IstioAgent },
                    cancellationToken).ConfigureAwait(false)
                : null;
            if (sds is not null)
            {
                console.Out.WriteLine($"lab SDS server: {sds.SocketPath} ({parse.GetValue(sdsFlavour)}, serving {sds.Options.SpiffeId})");
            }

            console.Out.WriteLine($"{ReadyLine} at {server.BaseAddress} (scenario {parse.GetValue(scenario)})");
            console.Out.WriteLine($"kubeconfig: {path}");
            console.Out.WriteLine($"try: kubectl --kubeconfig {path} get virtualservers -A");
            if (!once)
            {
                console.Out.WriteLine("Press Ctrl+C to stop.");
            }

            await console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            var exit = ExitCodes.Success;
            if (parse.GetValue(noController))
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopped by Ctrl+C or SIGTERM.
                }
            }
            else
            {
                var session = new LabSession(server, path, console)
                {
                    ExitWhenConverged = once,
                    Timeout = parse.GetValue(timeout) is { Ticks: > 0 } given ? given : LabSession.DefaultTimeout,
                    Sds = sds is null ? null : new SdsSourceOptions { SocketPath = sds.SocketPath, Server = sds.Options.Flavour == LabSdsFlavour.Spire ? SdsServerKind.Spire : SdsServerKind.IstioAgent },
                };
                exit = await session.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            console.Out.WriteLine("meshbridge lab: stopped");
            return exit;
        });
        return command;
    }

    /// <summary>A kubectl-style duration: whole numbers with units h, m, s or ms ("90s", "1m30s"); a bare number is seconds.</summary>
    internal static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        var parts = DurationPart().Matches(text);
        if (parts.Count == 0 || parts.Sum(p => p.Length) != text.Length)
        {
            result.AddError($"--timeout \"{text}\": expected a duration such as 60s, 2m or 1m30s");
            return default;
        }

        var total = TimeSpan.Zero;
        foreach (Match part in parts)
        {
            var n = long.Parse(part.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                _ => TimeSpan.FromMilliseconds(n),
            };
        }

        if (total <= TimeSpan.Zero)
        {
            result.AddError($"--timeout \"{text}\": must be longer than zero");
        }

        return total;
    }

    [GeneratedRegex("([0-9]{1,9})(ms|h|m|s)")]
    private static partial Regex DurationPart();
}
