using MeshBridge.Cli;

namespace MeshBridge.Tests.Support;

/// <summary>Runs the real <c>meshbridge</c> command tree in process with captured streams.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static CliRun WithStdin(string stdin, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var exit = CliApp.Run(args, new CliConsole(new StringReader(stdin), stdout, stderr));
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    public static CliRun Invoke(params string[] args) => WithStdin(string.Empty, args);
}
