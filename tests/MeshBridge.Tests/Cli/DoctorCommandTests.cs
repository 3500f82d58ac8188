using System.Text.Json.Nodes;
using MeshBridge.Cli.Commands;
using static MeshBridge.Tests.Cli.DiagnosticsLab;

namespace MeshBridge.Tests.Cli;

/// <summary><c>meshbridge doctor</c>: describe's checks for every annotated VirtualServer of the lab, in one table.</summary>
public sealed class DoctorCommandTests
{
    [Fact]
    public async Task A_converged_seed_is_two_healthy_rows_and_exit_0()
    {
        await using var lab = await StartAsync(converged: true);

        var run = await lab.RunAsync("doctor");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var lines = run.Stdout.Split('\n');
        Assert.Matches(@"^  NAMESPACE/NAME +MODE +NIC INSTANCE +STATUS +PROBLEMS$", lines[0]);
        Assert.Matches(@"^  demo-meshed/nic-meshed\.example\.com +sidecar +nginx-ingress/Deployment/nginx-ingress-sidecar +Meshed: sidecar +0$", lines[1]);
        Assert.Matches(@"^  demo-meshed/nic\.example\.com +egress-mtls +nginx-ingress/Deployment/nginx-ingress +Meshed: egress-mtls as spiffe://\S*… +0$", lines[2]);
        Assert.EndsWith("\n2 VirtualServers, 0 errors, 0 warnings.\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_cluster_lists_each_VirtualServer_s_codes_then_the_remedies_and_exits_1()
    {
        await using var lab = await StartAsync(converged: true);
        lab.MakeBackendPermissive();
        lab.Edit("apps/v1/deployments", "nginx-ingress", "nginx-ingress-sidecar",
            d => d["spec"]!["template"]!["metadata"]!["labels"]!.AsObject().Remove("sidecar.istio.io/inject"));

        var run = await lab.RunAsync("doctor");
        var json = JsonNode.Parse((await lab.RunAsync("doctor", "-o", "json")).Stdout)!;

        Assert.Equal(DescribeCommand.ProblemsFound, run.ExitCode);
        Assert.Matches(@"\n  demo-meshed/nic-meshed\.example\.com +sidecar +\S+ +Meshed: sidecar +1: NicNotEnrolled\n", run.Stdout);
        Assert.Matches(@"\n  demo-meshed/nic\.example\.com +egress-mtls +.+ +1: PeerAuthenticationNotStrict\n", run.Stdout);
        Assert.Contains("\nVirtualServer demo-meshed/nic.example.com\nProblems\n  ERROR   PeerAuthenticationNotStrict: Service demo-meshed/httpbin: ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("          remedy: apply a STRICT PeerAuthentication for the backend's namespace", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("\n2 VirtualServers, 2 errors, 0 warnings.\n", run.Stdout, StringComparison.Ordinal);

        Assert.Equal(1, json["schemaVersion"]!.GetValue<int>());
        var servers = json["virtualServers"]!.AsArray();
        Assert.Equal(["nic-meshed.example.com", "nic.example.com"], servers.Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal("NicNotEnrolled", servers[0]!["problems"]![0]!["code"]!.GetValue<string>());
        Assert.Equal("PeerAuthenticationNotStrict", servers[1]!["problems"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(2, json["errors"]!.GetValue<int>());
        Assert.Equal(0, json["warnings"]!.GetValue<int>());
    }

    [Fact]
    public async Task VirtualServers_without_the_annotation_are_left_out()
    {
        await using var lab = await StartAsync(converged: false);
        lab.Edit("k8s.nginx.org/v1/virtualservers", Namespace, EgressServer, vs => vs["metadata"]!.AsObject().Remove("annotations"));

        var json = JsonNode.Parse((await lab.RunAsync("doctor", "-o", "json")).Stdout)!;

        Assert.Equal([SidecarServer], json["virtualServers"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
    }
}
