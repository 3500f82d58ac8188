using System.CommandLine;
using MeshBridge.Cli.Commands;

namespace MeshBridge.Cli;

/// <summary>The <c>meshbridge</c> command tree.</summary>
public static class CliApp
{
    public static int Run(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var root = new RootCommand(
            "MeshBridge joins F5 NGINX Ingress Controller (NIC) to an Istio mesh from one annotation on a VirtualServer:\n" +
            "  meshbridge.io/mode: sidecar | ambient | egress-mtls | none\n\n" +
            "Start with 'meshbridge inject -f examples/httpbin.yaml' to see what it changes.");
        root.Subcommands.Add(InjectCommand.Create(console, revert: false));
        root.Subcommands.Add(InjectCommand.Create(console, revert: true));
        root.Subcommands.Add(VersionCommand.Create(console));
        var parsed = root.Parse(args);
        var exit = parsed.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error });
        return parsed.Errors.Count > 0 ? ExitCodes.Usage : exit;
    }
}
