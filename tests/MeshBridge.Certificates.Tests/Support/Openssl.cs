using MeshBridge.Testing;

namespace MeshBridge.Certificates.Tests.Support;

/// <summary>
/// The real OpenSSL CLI as an independent judge: it reads what .NET wrote and makes certificates .NET did not make.
/// A missing openssl fails the test with an explanation rather than skipping it.
/// </summary>
internal static class Openssl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string Executable => FindOnPath("openssl") ?? throw new InvalidOperationException(
        "openssl was not found on PATH. These tests use the real OpenSSL CLI (3.0 or later) to check the CSR and to " +
        "build an independent test CA; install it (e.g. apt-get install openssl).");

    /// <summary>Runs openssl in <paramref name="workingDirectory"/> and returns stdout; a non-zero exit fails.</summary>
    public static async Task<string> RunAsync(string workingDirectory, params string[] arguments)
    {
        var result = await TryRunAsync(workingDirectory, arguments);
        Assert.True(
            result.ExitCode == 0,
            $"openssl {string.Join(' ', arguments)} exited {result.ExitCode}\nstdout: {result.Stdout}\nstderr: {result.Stderr}");
        return result.Stdout;
    }

    public static async Task<Result> TryRunAsync(string workingDirectory, params string[] arguments)
    {
        var (code, stdout, stderr) = await ChildProcess.RunAsync(
            Executable, workingDirectory, arguments, "the real OpenSSL CLI (3.0 or later; e.g. apt-get install openssl)", Timeout);
        return new Result(code, stdout, stderr);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    public sealed record Result(int ExitCode, string Stdout, string Stderr);
}
