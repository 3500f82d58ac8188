using System.Diagnostics;

namespace MeshBridge.Lab.Tests.IstioCa;

/// <summary>
/// Runs <c>interop/ca-client.js</c>, a grpc-js client over our protos, once per call. Installs its npm packages with
/// <c>npm ci</c> when missing, so <c>dotnet test</c> works in a fresh clone; fails clearly when node or npm is absent.
/// </summary>
internal static class NodeCaClient
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static string InteropFolder => Path.Combine(TeamFolder.RepositoryRoot, "tests", "MeshBridge.Lab.Tests", "interop");

    /// <summary>Calls CreateCertificate; returns the exit code and stdout (the response or error as JSON).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> CreateCertificateAsync(
        Uri address, string rootPem, string serverName, string token, string csrPem, long validitySeconds)
    {
        await EnsureNodeModulesAsync();
        var directory = Directory.CreateTempSubdirectory("mb-labca-");
        try
        {
            var root = Write(directory, "root.pem", rootPem);
            var tokenFile = Write(directory, "token", token);
            var csr = Write(directory, "csr.pem", csrPem);
            return await RunAsync("node", [
                "ca-client.js",
                "--protos", Path.Combine(TeamFolder.RepositoryRoot, "protos"),
                "--address", $"{address.Host}:{address.Port}",
                "--root", root,
                "--server-name", serverName,
                "--token-file", tokenFile,
                "--csr-file", csr,
                "--validity", validitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ], CallTimeout);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Write(DirectoryInfo directory, string name, string content)
    {
        var path = Path.Combine(directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task EnsureNodeModulesAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(InteropFolder, "node_modules", "@grpc", "grpc-js")))
            {
                return;
            }

            var (exitCode, stdout, stderr) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], NpmTimeout);
            if (exitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'npm ci' in {InteropFolder} failed ({exitCode}); the lab CA fidelity tests need @grpc/grpc-js from the npm registry.\n{stdout}\n{stderr}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string fileName, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = InteropFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{fileName}' was not found on PATH. The lab CA fidelity tests judge it with grpc-js and need Node.js 18+ with npm installed.",
                e);
        }

        using (process)
        {
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
                throw;
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
