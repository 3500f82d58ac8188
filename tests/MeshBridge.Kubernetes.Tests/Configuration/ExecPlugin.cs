using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client.Configuration;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>
/// A real credential plugin: a shell script that appends a line to a counter file on every run, saves its
/// KUBERNETES_EXEC_INFO and arguments, and prints the ExecCredential the test wrote for that run (credential-N.json,
/// else credential.json).
/// </summary>
internal sealed class ExecPlugin : IDisposable
{
    private const string Script = """
        #!/bin/sh
        set -e
        dir="$PLUGIN_DIR"
        echo run >> "$dir/runs"
        n=$(wc -l < "$dir/runs" | tr -d ' ')
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info-$n.json"
        printf '%s\n' "$@" > "$dir/args-$n"
        if [ -f "$dir/credential-$n.json" ]; then cat "$dir/credential-$n.json"; else cat "$dir/credential.json"; fi
        """;

    private readonly TempDirectory directory = new();

    public ExecPlugin(string apiVersion = ExternalExecution.V1)
    {
        Command = directory.WriteScript("bin/get-token", Script + "\n");
        Execution = new ExternalExecution
        {
            ApiVersion = apiVersion,
            Command = Command,
            Arguments = ["--cluster", "lab"],
            EnvironmentVariables = [new("PLUGIN_DIR", directory.Path)],
            InteractiveMode = "Never",
        };
    }

    public string Command { get; }

    public ExternalExecution Execution { get; }

    public string Directory => directory.Path;

    /// <summary>How many times the plugin ran.</summary>
    public int Runs => File.Exists(directory.Combine("runs")) ? File.ReadAllLines(directory.Combine("runs")).Length : 0;

    /// <summary>The answer for run <paramref name="run"/>, or for every run without its own when null.</summary>
    public void Answer(JsonObject credential, int? run = null) =>
        directory.Write(run is null ? "credential.json" : $"credential-{run}.json", credential.ToJsonString());

    public JsonObject ExecInfo(int run) => JsonNode.Parse(File.ReadAllText(directory.Combine($"exec-info-{run}.json")))!.AsObject();

    public string[] Arguments(int run) => File.ReadAllLines(directory.Combine($"args-{run}"));

    public static JsonObject Credential(string? token = null, DateTimeOffset? expiry = null, string? certificatePem = null, string? keyPem = null, string apiVersion = ExternalExecution.V1)
    {
        var status = new JsonObject();
        if (token is not null)
        {
            status["token"] = token;
        }

        if (expiry is not null)
        {
            status["expirationTimestamp"] = expiry.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (certificatePem is not null)
        {
            status["clientCertificateData"] = certificatePem;
        }

        if (keyPem is not null)
        {
            status["clientKeyData"] = keyPem;
        }

        return new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = "ExecCredential", ["status"] = status };
    }

    public void Dispose() => directory.Dispose();
}
