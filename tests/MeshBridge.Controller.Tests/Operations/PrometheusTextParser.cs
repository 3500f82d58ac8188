using System.Diagnostics;
using System.Text.Json;

namespace MeshBridge.Controller.Tests.Operations;

/// <summary>
/// An independent judge of the text format: the npm package parse-prometheus-text-format (a port of prom2json's
/// parser), installed by npm from tools/package-lock.json on first use. A test that needs it fails, with the reason,
/// when node or npm cannot provide it; it does not pass quietly.
/// </summary>
internal static class PrometheusTextParser
{
    private const string Script = """
        const parse = require('parse-prometheus-text-format');
        let text = '';
        process.stdin.setEncoding('utf8');
        process.stdin.on('data', chunk => text += chunk);
        process.stdin.on('end', () => process.stdout.write(JSON.stringify(parse(text))));
        """;

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private static readonly Lazy<Task> Installed = new(InstallAsync);

    private static string ToolsFolder { get; } =
        Path.Combine(TeamFolder.RepositoryRoot, "tests", "MeshBridge.Controller.Tests", "Operations", "tools");

    /// <summary>The parser's view of <paramref name="exposition"/>: an array of families, each with name, help, type and metrics.</summary>
    public static async Task<JsonElement> ParseAsync(string exposition)
    {
        await Installed.Value;
        var (exitCode, stdout, stderr) = await RunAsync("node", ["-e", Script], exposition);
        Assert.True(exitCode == 0, $"parse-prometheus-text-format rejected the exposition: {stderr}");
        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.Clone();
    }

    private static async Task InstallAsync()
    {
        if (Directory.Exists(Path.Combine(ToolsFolder, "node_modules", "parse-prometheus-text-format")))
        {
            return;
        }

        var (exitCode, _, stderr) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], null);
        Assert.True(exitCode == 0, $"npm ci in {ToolsFolder} failed, so the independent text-format parser is missing: {stderr}");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, string[] arguments, string? stdin)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = ToolsFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        using var limit = new CancellationTokenSource(Limit);
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {Limit}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
