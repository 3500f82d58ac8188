using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// Runs a client-go credential plugin once, as k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go does: the
/// process environment plus the configured variables plus KUBERNETES_EXEC_INFO, empty standard input (never
/// interactive), standard output is the ExecCredential. Standard error is captured for the error message.
/// </summary>
internal static class ExecPluginRunner
{
    /// <summary>Enough of a plugin's standard error to explain a failure without flooding a log line.</summary>
    private const int StandardErrorLimit = 2000;

    /// <summary>errno ENOENT, which Process.Start reports as the Win32Exception's native error on Unix.</summary>
    private const int FileNotFound = 2;

    public static async Task<string> RunAsync(ExternalExecution exec, JsonObject? cluster, CancellationToken cancellationToken)
    {
        if (exec.InteractiveMode == "Always")
        {
            // client-go: "exec plugin cannot support interactive mode: standard input is not a terminal".
            throw Error(exec, "exec plugin cannot support interactive mode: standard input is not a terminal (interactiveMode is Always; MeshBridge never has one)");
        }

        using var process = Start(exec, cluster);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        return process.ExitCode == 0 ? output
            : throw Error(exec, $"exec: executable {exec.Command} failed with exit code {process.ExitCode}{Describe(errors)}");
    }

    /// <summary>The KUBERNETES_EXEC_INFO document: an ExecCredential with only a spec.</summary>
    public static string ExecInfo(ExternalExecution exec, JsonObject? cluster)
    {
        var spec = new JsonObject { ["interactive"] = false };
        if (exec.ProvideClusterInfo && cluster is not null)
        {
            spec["cluster"] = cluster.DeepClone();
        }

        return new JsonObject { ["kind"] = "ExecCredential", ["apiVersion"] = exec.ApiVersion, ["spec"] = spec }.ToJsonString();
    }

    public static KubeConfigException Error(ExternalExecution exec, string message, Exception? inner = null) =>
        KubeConfigException.Create(exec.Origin is null ? message : $"{exec.Origin}: {message}", inner);

    private static Process Start(ExternalExecution exec, JsonObject? cluster)
    {
        var start = new ProcessStartInfo(exec.Command)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in exec.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in exec.EnvironmentVariables)
        {
            start.Environment[name] = value;
        }

        start.Environment["KUBERNETES_EXEC_INFO"] = ExecInfo(exec, cluster);
        try
        {
            return Process.Start(start) ?? throw Error(exec, $"exec: executable {exec.Command} did not start");
        }
        catch (Win32Exception e) when (e.NativeErrorCode == FileNotFound)
        {
            var hint = exec.InstallHint is { Length: > 0 } h ? $"\n\n{h.Trim()}" : string.Empty;
            throw Error(exec, $"exec: executable {exec.Command} not found{hint}", e);
        }
        catch (Win32Exception e)
        {
            throw Error(exec, $"exec: executable {exec.Command} could not be started: {e.Message}", e);
        }
    }

    private static string Describe(string stderr)
    {
        var text = stderr.Trim();
        if (text.Length == 0)
        {
            return string.Empty;
        }

        // The end of the output is where a failing tool says why.
        return text.Length <= StandardErrorLimit ? $": {text}" : $": …{text[^StandardErrorLimit..]}";
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }
}
