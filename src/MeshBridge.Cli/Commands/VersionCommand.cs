using System.CommandLine;
using System.Reflection;

namespace MeshBridge.Cli.Commands;

internal static class VersionCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("version", "Print the MeshBridge version.");
        command.SetAction(_ =>
        {
            var assembly = typeof(VersionCommand).Assembly;
            var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString() ?? "unknown";
            console.Out.WriteLine($"meshbridge {version} (.NET {Environment.Version})");
            return ExitCodes.Success;
        });
        return command;
    }
}
