using System.Text.RegularExpressions;
using System.Xml.Linq;
using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Architecture;

/// <summary>DESIGN.md §4 made executable: the pure transform depends on nothing, and I/O stays at the edges.</summary>
public sealed partial class ProjectGraphTests
{
    /// <summary>Which projects each project may reference. A project missing here is a test failure, not a pass.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["MeshBridge.Transform"] = [],
        ["MeshBridge.Manifests"] = ["MeshBridge.Transform"],
        ["MeshBridge.Certificates"] = ["MeshBridge.Grpc", "MeshBridge.Protos"],
        ["MeshBridge.Lab"] = ["MeshBridge.Manifests", "MeshBridge.Transform", "MeshBridge.Kubernetes", "MeshBridge.Certificates", "MeshBridge.Grpc", "MeshBridge.Protos"],
        ["MeshBridge.Kubernetes"] = ["MeshBridge.Transform", "MeshBridge.Manifests"],
        ["MeshBridge.Controller"] = ["MeshBridge.Transform", "MeshBridge.Kubernetes", "MeshBridge.Certificates"],
        ["MeshBridge.Cli"] = ["MeshBridge.Transform", "MeshBridge.Manifests", "MeshBridge.Kubernetes", "MeshBridge.Controller", "MeshBridge.Certificates", "MeshBridge.Grpc", "MeshBridge.Lab"],
        ["MeshBridge.Grpc"] = [],
        ["MeshBridge.Protos"] = [],
    };

    public static TheoryData<string> Projects() => [.. Directory.GetDirectories(Path.Combine(Repo.Root, "src")).Select(d => Path.GetFileName(d)!).Order()];

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_project_references_only_what_the_architecture_allows(string project)
    {
        Assert.True(Allowed.TryGetValue(project, out var allowed), $"{project} is not in the allowed project graph; add it deliberately");

        var references = References(project);

        Assert.All(references, r => Assert.Contains(r, allowed));
    }

    [Fact]
    public void The_transform_references_no_project_and_no_package()
    {
        var csproj = XDocument.Load(CsprojPath("MeshBridge.Transform"));

        Assert.Empty(csproj.Descendants("ProjectReference"));
        Assert.Empty(csproj.Descendants("PackageReference"));
    }

    [Fact]
    public void The_transform_source_does_no_io_and_reads_no_clock_or_randomness()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(Repo.Root, "src", "MeshBridge.Transform"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => ImpureApi().IsMatch(x.line))
            .Select(x => $"{Path.GetFileName(x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, string.Join('\n', offenders));
    }

    [Fact]
    public void The_executable_is_named_meshbridge()
    {
        var csproj = XDocument.Load(CsprojPath("MeshBridge.Cli"));

        Assert.Equal("meshbridge", csproj.Descendants("AssemblyName").Single().Value);
        Assert.Equal("Exe", csproj.Descendants("OutputType").Single().Value);
    }

    private static string CsprojPath(string project) => Path.Combine(Repo.Root, "src", project, $"{project}.csproj");

    private static List<string> References(string project) =>
        XDocument.Load(CsprojPath(project)).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value))
            .ToList();

    [GeneratedRegex(@"\b(System\.IO|File\.|Directory\.|Console\.|HttpClient|Socket|DateTime(Offset)?\.(Now|UtcNow)|TimeProvider|Environment\.|new Random|Random\.Shared|ILogger|Task\.Delay|Thread\.Sleep)")]
    private static partial Regex ImpureApi();
}
