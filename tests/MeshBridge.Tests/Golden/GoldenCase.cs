using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Golden;

/// <summary>
/// One folder under testdata/inject: <c>input.yaml</c>, optional <c>args</c> (the command line after
/// <c>meshbridge</c>, default <c>inject</c>), <c>expected.yaml</c> (stdout) and <c>expected-diagnostics.txt</c>
/// (stderr). A new case is a new folder. Set MESHBRIDGE_UPDATE_GOLDEN=1 to rewrite the expected files, then review
/// the diff before committing.
/// </summary>
internal sealed record GoldenCase(string Name, string Directory)
{
    public static bool Update => Environment.GetEnvironmentVariable("MESHBRIDGE_UPDATE_GOLDEN") == "1";

    public static IEnumerable<object[]> All() =>
        System.IO.Directory.GetDirectories(Repo.TestData("inject")).Order(StringComparer.Ordinal).Select(d => new object[] { Path.GetFileName(d) });

    public static GoldenCase Named(string name) => new(name, Repo.TestData("inject", name));

    public string InputPath => Path.Combine(Directory, "input.yaml");

    public string ExpectedPath => Path.Combine(Directory, "expected.yaml");

    public string DiagnosticsPath => Path.Combine(Directory, "expected-diagnostics.txt");

    public string[] Args
    {
        get
        {
            var file = Path.Combine(Directory, "args");
            var text = File.Exists(file) ? File.ReadAllText(file).Trim() : "inject";
            return text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        }
    }

    /// <summary>Runs the case's command on a file; stderr has the case folder removed so it reads "input.yaml#2".</summary>
    public CliRun Run(string inputPath, params string[] extraArgs)
    {
        var run = CliRun.Invoke([.. Args, "-f", inputPath, .. extraArgs]);
        return run with { Stderr = run.Stderr.Replace(Directory + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal) };
    }
}
