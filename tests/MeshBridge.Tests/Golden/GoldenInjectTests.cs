using System.Text.Json.Nodes;
using MeshBridge.Manifests;
using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Golden;

public sealed class GoldenInjectTests
{
    public static IEnumerable<object[]> Cases => GoldenCase.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_and_diagnostics_match_the_golden_files(string name)
    {
        var golden = GoldenCase.Named(name);
        var run = golden.Run(golden.InputPath);
        if (GoldenCase.Update)
        {
            File.WriteAllText(golden.ExpectedPath, run.Stdout);
            File.WriteAllText(golden.DiagnosticsPath, run.Stderr);
        }

        Assert.Equal(File.ReadAllText(golden.ExpectedPath), run.Stdout);
        Assert.Equal(File.ReadAllText(golden.DiagnosticsPath), run.Stderr);
        var hasErrors = run.Stderr.Split('\n').Any(l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Equal(hasErrors ? 1 : 0, run.ExitCode);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Running_the_command_again_on_its_output_changes_nothing(string name)
    {
        var golden = GoldenCase.Named(name);
        var again = golden.Run(golden.ExpectedPath);

        Assert.Equal(Documents(File.ReadAllText(golden.ExpectedPath)), Documents(again.Stdout));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Uninject_of_the_output_equals_uninject_of_the_input(string name)
    {
        var golden = GoldenCase.Named(name);
        var fromInput = CliRun.Invoke("uninject", "-f", golden.InputPath);
        var fromOutput = CliRun.Invoke("uninject", "-f", golden.ExpectedPath);

        Assert.Equal(Documents(fromInput.Stdout), Documents(fromOutput.Stdout));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_NIC_object_MeshBridge_wrote_is_valid_against_the_real_NIC_CRDs(string name)
    {
        var golden = GoldenCase.Named(name);
        foreach (var document in ManifestReader.Read(File.ReadAllText(golden.ExpectedPath), name))
        {
            var kind = document.Node?["kind"]?.GetValue<string>();
            var writtenByMeshBridge = document.Node?["metadata"]?["annotations"]?["meshbridge.io/applied"] is not null ||
                document.Node?["metadata"]?["labels"]?["app.kubernetes.io/managed-by"]?.GetValue<string>() == "meshbridge";
            if (document.Node?["apiVersion"]?.GetValue<string>() != "k8s.nginx.org/v1" || kind is null || !writtenByMeshBridge)
            {
                continue;
            }

            var errors = NicCrds.SchemaFor(kind).Validate(document.Node);
            Assert.True(errors.Count == 0, $"{document.Location} ({kind}):\n{string.Join('\n', errors)}");
        }
    }

    /// <summary>Documents compared as canonical JSON, so comments and quoting style do not count.</summary>
    private static List<string> Documents(string yaml) =>
        ManifestReader.Read(yaml, "output").Select(d => d.Node?.ToJsonString() ?? "null").ToList();
}
