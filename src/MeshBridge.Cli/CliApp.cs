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
        root.Subcommands.Add(RunCommand.Create(console));
        root.Subcommands.Add(LabCommand.Create(console));
        root.Subcommands.Add(CertificateCommand.Create(console));
        root.Subcommands.Add(DescribeCommand.Create(console));
        root.Subcommands.Add(DoctorCommand.Create(console));
        root.Subcommands.Add(VersionCommand.Create(console));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Never help text on stdout: it could be piped into 'kubectl apply -f -'.
            foreach (var error in parsed.Errors)
            {
                console.Error.WriteLine($"error: {error.Message}");
            }

            var command = string.Join(' ', ["meshbridge", .. parsed.CommandResult.Command.Name == root.Name ? [] : new[] { parsed.CommandResult.Command.Name }]);
            console.Error.WriteLine($"Run '{command} --help' for usage.");
            return ExitCodes.Usage;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error });
    }
}
