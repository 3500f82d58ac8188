using System.Text.RegularExpressions;
using System.Xml.Linq;
using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Deploy;

/// <summary>
/// The Dockerfile against the projects it builds (there is no Docker here to build it): its restore stage copies
/// every project file the CLI builds from, the runtime image carries the shared frameworks those projects use,
/// and the image runs as the non-root user the Deployment asks for.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(Repo.Root, "Dockerfile"));

    [Fact]
    public void The_restore_stage_copies_every_project_the_CLI_builds_from()
    {
        var projects = ProjectClosure(Path.Combine(Repo.Root, "src", "MeshBridge.Cli", "MeshBridge.Cli.csproj"));

        Assert.Contains("src/MeshBridge.Cli/MeshBridge.Cli.csproj", projects);
        foreach (var project in projects)
        {
            Assert.Matches(new Regex($@"(?m)^COPY {Regex.Escape(project)} {Regex.Escape(Path.GetDirectoryName(project)!.Replace('\\', '/'))}/$"), Dockerfile);
        }

        Assert.Contains("dotnet publish src/MeshBridge.Cli -c Release -p:PublishReadyToRun=true -r ${RID} --self-contained false", Dockerfile, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"(?m)^ARG RID=linux-x64$"), Dockerfile);
    }

    [Fact]
    public void The_runtime_image_has_the_ASP_NET_Core_framework_the_projects_reference_and_runs_as_65532()
    {
        var frameworks = ProjectClosure(Path.Combine(Repo.Root, "src", "MeshBridge.Cli", "MeshBridge.Cli.csproj"))
            .SelectMany(p => XDocument.Load(Path.Combine(Repo.Root, p)).Descendants("FrameworkReference").Select(f => (string)f.Attribute("Include")!))
            .ToHashSet(StringComparer.Ordinal);
        var stages = FromLine().Matches(Dockerfile).Select(m => m.Groups["image"].Value).ToList();

        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}", "mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}"], stages);
        Assert.Subset(new HashSet<string>(["Microsoft.AspNetCore.App"], StringComparer.Ordinal), frameworks);
        Assert.Matches(new Regex(@"(?m)^USER 65532:65532$"), Dockerfile);
        Assert.Matches(new Regex(@"(?m)^ENTRYPOINT \[""dotnet"", ""/app/meshbridge.dll""\]$"), Dockerfile);
    }

    [Fact]
    public void The_build_context_keeps_the_sources_and_leaves_out_build_output()
    {
        var ignored = File.ReadAllLines(Path.Combine(Repo.Root, ".dockerignore"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();

        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains(".git/", ignored);
        Assert.DoesNotContain(ignored, l => l.StartsWith("src", StringComparison.Ordinal) || l.StartsWith("protos", StringComparison.Ordinal) || l.StartsWith("Directory.", StringComparison.Ordinal) || l.StartsWith('!'));
    }

    /// <summary>A project and every project it references, transitively, as repository-relative paths.</summary>
    private static List<string> ProjectClosure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var path))
        {
            if (!seen.Add(Path.GetRelativePath(Repo.Root, path).Replace('\\', '/')))
            {
                continue;
            }

            foreach (var reference in XDocument.Load(path).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, (string)reference.Attribute("Include")!)));
            }
        }

        return [.. seen];
    }

    [GeneratedRegex(@"(?m)^FROM (?<image>\S+)")]
    private static partial Regex FromLine();
}
