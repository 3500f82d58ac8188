using System.Diagnostics;
using System.Text.Json.Nodes;
using MeshBridge.Manifests;
using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Cli;

public sealed class CliTests
{
    private static readonly string Example = Path.Combine(Repo.Root, "examples", "httpbin.yaml");

    [Fact]
    public void Inject_reads_stdin_when_no_file_is_given()
    {
        var run = CliRun.WithStdin(File.ReadAllText(Example), "inject");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("use-cluster-ip: true", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stderr);
    }

    [Fact]
    public void Inject_reads_every_manifest_of_a_directory_in_name_order()
    {
        var dir = Directory.CreateTempSubdirectory("meshbridge-cli-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "b.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n");
            File.WriteAllText(Path.Combine(dir.FullName, "a.yml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n");
            File.WriteAllText(Path.Combine(dir.FullName, "notes.txt"), "not a manifest");

            var run = CliRun.Invoke("inject", "-f", dir.FullName);

            var names = ManifestReader.Read(run.Stdout, "out").Select(d => d.Node!["metadata"]!["name"]!.GetValue<string>());
            Assert.Equal(["first", "second"], names);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Json_output_is_a_v1_List_for_several_documents()
    {
        var run = CliRun.Invoke("inject", "-f", Example, "-o", "json");

        var list = JsonNode.Parse(run.Stdout)!;
        Assert.Equal("List", list["kind"]!.GetValue<string>());
        Assert.Equal(4, list["items"]!.AsArray().Count);
    }

    [Fact]
    public void A_document_error_exits_1_and_prints_the_object_field_and_reason()
    {
        var input = File.ReadAllText(Example).Replace("meshbridge.io/mode: sidecar", "meshbridge.io/mode: sidecars", StringComparison.Ordinal);

        var run = CliRun.WithStdin(input, "inject");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(
            "error: VirtualServer demo-meshed/nic-meshed.example.com (<stdin>#3): metadata.annotations[\"meshbridge.io/mode\"]: unknown mode \"sidecars\"",
            run.Stderr,
            StringComparison.Ordinal);
        Assert.Contains("meshbridge.io/mode: sidecars", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("use-cluster-ip", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_yaml_writes_nothing_and_exits_1()
    {
        var run = CliRun.WithStdin("apiVersion: v1\nkind: [unclosed\n", "inject");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains("<stdin>", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was written", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named_and_nothing_is_written()
    {
        var run = CliRun.Invoke("inject", "-f", "/nonexistent/vs.yaml");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains("/nonexistent/vs.yaml: no such file or directory", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--mode", "mesh")]
    [InlineData("--ingress-workload", "nginx-ingress/nginx-ingress")]
    [InlineData("--api-server-address", "not-an-ip")]
    [InlineData("--nic-service-account", "nginx-ingress")]
    public void A_bad_flag_value_is_a_usage_error(string flag, string value)
    {
        var run = CliRun.Invoke("inject", "-f", Example, flag, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains(value, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Uninject_has_no_mode_flag()
    {
        var run = CliRun.Invoke("uninject", "-f", Example, "--mode", "sidecar");

        Assert.Equal(2, run.ExitCode);
    }

    [Fact]
    public void Help_lists_the_commands_and_the_annotation()
    {
        var run = CliRun.Invoke("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var expected in new[] { "inject", "uninject", "version", "meshbridge.io/mode" })
        {
            Assert.Contains(expected, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_built_meshbridge_executable_runs_the_quick_start()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "meshbridge.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "inject", "-f", Example])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(CliRun.Invoke("inject", "-f", Example).Stdout, await stdout);
        Assert.Equal(string.Empty, await stderr);
    }

    [Fact]
    public void Version_prints_the_product_version()
    {
        var run = CliRun.Invoke("version");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("meshbridge 0.", run.Stdout, StringComparison.Ordinal);
    }
}
