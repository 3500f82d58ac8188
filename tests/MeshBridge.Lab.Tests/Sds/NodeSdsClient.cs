using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Lab.Tests.IstioCa;

namespace MeshBridge.Lab.Tests.Sds;

/// <summary>
/// Runs <c>interop/sds-client.js</c> (grpc-js over our protos, on the server's Unix socket) and collects what it
/// prints line by line, so a test can act (rotate) while the stream is open.
/// </summary>
internal sealed class NodeSdsClient : IAsyncDisposable
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly DirectoryInfo _outDir = Directory.CreateTempSubdirectory("mb-sds-client-");
    private Process? _node;

    private NodeSdsClient()
    {
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Starts the client on <paramref name="socketPath"/> with further sds-client.js arguments.</summary>
    public static async Task<NodeSdsClient> StartAsync(string socketPath, params string[] arguments)
    {
        await ChildProcess.EnsureNpmPackagesAsync(NodeCaClient.InteropFolder, "@grpc/grpc-js", NpmTimeout);
        var client = new NodeSdsClient();
        client._node = ChildProcess.Start(
            "node",
            NodeCaClient.InteropFolder,
            ["sds-client.js", "--protos", Path.Combine(TeamFolder.RepositoryRoot, "protos"), "--socket", socketPath, "--out-dir", client._outDir.FullName, .. arguments],
            "Node.js 18+ with npm");
        client._node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (client._gate)
                {
                    client._lines.Add(e.Data);
                }
            }
        };
        client._node.ErrorDataReceived += (_, e) =>
        {
            lock (client._gate)
            {
                client._stderr.AppendLine(e.Data);
            }
        };
        client._node.BeginOutputReadLine();
        client._node.BeginErrorReadLine();
        return client;
    }

    /// <summary>Runs the client to its end; returns its exit code.</summary>
    public static async Task<(NodeSdsClient Client, int ExitCode)> RunAsync(string socketPath, params string[] arguments)
    {
        var client = await StartAsync(socketPath, arguments);
        return (client, await client.ExitAsync());
    }

    /// <summary>The "response" lines as JSON.</summary>
    public IReadOnlyList<JsonNode> Responses => [.. Lines.Where(l => l.StartsWith("response ", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l["response ".Length..])!)];

    /// <summary>The final "status" line as JSON.</summary>
    public JsonNode Status => JsonNode.Parse(Lines.Single(l => l.StartsWith("status ", StringComparison.Ordinal))["status ".Length..])!;

    /// <summary>The secret named <paramref name="name"/> in response <paramref name="index"/>.</summary>
    public JsonNode Secret(int index, string name) =>
        Responses[index]["secrets"]!.AsArray().Single(s => s!["name"]?.GetValue<string>() == name)!;

    /// <summary>Waits until <paramref name="count"/> lines start with <paramref name="prefix"/>.</summary>
    public async Task WaitForLinesAsync(string prefix, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Lines.Count(l => l.StartsWith(prefix, StringComparison.Ordinal)) < count)
        {
            if (DateTime.UtcNow > deadline || _node!.HasExited)
            {
                throw new TimeoutException($"grpc-js printed no {count} '{prefix}' lines:\n{string.Join('\n', Lines)}\n{Stderr}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    public async Task<int> ExitAsync()
    {
        await _node!.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _node.WaitForExit();
        return _node.ExitCode;
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public string Describe() => $"{string.Join('\n', Lines)}\n{Stderr}";

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.StopAsync(_node);
        _outDir.Delete(recursive: true);
    }
}
