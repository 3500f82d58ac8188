using System.Diagnostics;

namespace MeshBridge.Testing;

/// <summary>
/// The real programs tests lean on (node, npm, openssl): started with redirected streams, and a missing one fails with
/// a message saying what the tests need instead of a bare Win32Exception; npm packages installed with <c>npm ci</c>
/// on first use, so <c>dotnet test</c> works in a fresh clone.
/// </summary>
public static class ChildProcess
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <param name="need">What the caller needs installed, for the error ("Node.js 18+ with npm").</param>
    public static Process Start(string fileName, string directory, IEnumerable<string> arguments, string need)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{fileName}' was not found on PATH. These tests need {need} installed.", e);
        }
    }

    /// <summary>Stops a long-running peer (a stand-in server): closes its input, kills its tree, waits for it to go.</summary>
    /// <summary>
    /// Collects <paramref name="process"/>'s standard error into <paramref name="stderr"/> (under <paramref name="gate"/>),
    /// starts reading both streams (wire OutputDataReceived first), and waits until <paramref name="ready"/> completes;
    /// fails with what it printed on standard error if the process exits first.
    /// </summary>
    public static async Task WaitUntilReadyAsync(Process process, Task ready, System.Text.StringBuilder stderr, Lock gate, string what, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (gate)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(ready, exited).WaitAsync(timeout) == exited)
        {
            lock (gate)
            {
                throw new InvalidOperationException($"{what} exited with {process.ExitCode}: {stderr}");
            }
        }
    }

    public static async Task StopAsync(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            process.StandardInput.Close();
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        process.Dispose();
    }

    /// <summary>Runs to the end (killed after <paramref name="timeout"/>), with standard input closed.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string fileName, string directory, IEnumerable<string> arguments, string need, TimeSpan timeout)
    {
        using var process = Start(fileName, directory, arguments, need);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', process.StartInfo.ArgumentList)}' did not finish within {timeout.TotalSeconds:0} s.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// <c>npm ci</c> in <paramref name="folder"/> unless a finished install is there (npm writes
    /// node_modules/.package-lock.json last). One install at a time, across test processes too (an exclusive lock file
    /// beside package.json): test projects run in parallel and some share an interop folder, and a half-extracted
    /// node_modules must never be taken for a finished one.
    /// </summary>
    public static async Task EnsureNpmPackagesAsync(string folder, string marker, TimeSpan timeout)
    {
        var finished = Path.Combine(folder, "node_modules", ".package-lock.json");
        if (File.Exists(finished))
        {
            return;
        }

        await InstallGate.WaitAsync();
        try
        {
            using var exclusive = await LockAsync(Path.Combine(folder, ".npm-install.lock"), timeout);
            if (File.Exists(finished))
            {
                return;
            }

            var (code, stdout, stderr) = await RunAsync("npm", folder, ["ci", "--no-audit", "--no-fund"], "Node.js 18+ with npm", timeout);
            if (code != 0 || !File.Exists(finished))
            {
                throw new InvalidOperationException($"'npm ci' in {folder} failed ({code}); these tests need {marker} from the npm registry.\n{stdout}\n{stderr}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<FileStream> LockAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another test process is installing; its lock goes with its file handle.
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
    }
}
