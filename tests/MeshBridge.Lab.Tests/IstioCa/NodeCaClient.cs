using MeshBridge.Testing;

namespace MeshBridge.Lab.Tests.IstioCa;

/// <summary>
/// Runs <c>interop/ca-client.js</c>, a grpc-js client over our protos, once per call. Installs its npm packages with
/// <c>npm ci</c> when missing, so <c>dotnet test</c> works in a fresh clone; fails clearly when node or npm is absent.
/// </summary>
internal static class NodeCaClient
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    public static string InteropFolder => Path.Combine(TeamFolder.RepositoryRoot, "tests", "MeshBridge.Lab.Tests", "interop");

    /// <summary>Calls CreateCertificate; returns the exit code and stdout (the response or error as JSON).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> CreateCertificateAsync(
        Uri address, string rootPem, string serverName, string token, string csrPem, long validitySeconds)
    {
        await ChildProcess.EnsureNpmPackagesAsync(InteropFolder, "@grpc/grpc-js", NpmTimeout);
        var directory = Directory.CreateTempSubdirectory("mb-labca-");
        try
        {
            var root = Write(directory, "root.pem", rootPem);
            var tokenFile = Write(directory, "token", token);
            var csr = Write(directory, "csr.pem", csrPem);
            return await ChildProcess.RunAsync("node", InteropFolder, [
                "ca-client.js",
                "--protos", Path.Combine(TeamFolder.RepositoryRoot, "protos"),
                "--address", $"{address.Host}:{address.Port}",
                "--root", root,
                "--server-name", serverName,
                "--token-file", tokenFile,
                "--csr-file", csr,
                "--validity", validitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ], "Node.js 18+ with npm", CallTimeout);
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
}
