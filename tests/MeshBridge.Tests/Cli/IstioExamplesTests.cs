using System.Text.Json.Nodes;
using MeshBridge.Testing;
using MeshBridge.Tests.Support;
using MeshBridge.Transform;

namespace MeshBridge.Tests.Cli;

/// <summary>
/// The mesh-side examples in istio/ do what they are for: applied with the real kubectl to a meshed lab whose backend is
/// PERMISSIVE and whose port is undeclared, they clear exactly the problems <c>meshbridge describe</c> reports, and
/// the AuthorizationPolicy admits the principal of the identity MeshBridge presents for NIC.
/// </summary>
public sealed class IstioExamplesTests
{
    private static string Example(string file) => Path.Combine(Repo.Root, "istio", file);

    private static List<string> Codes(CliRun run) =>
        [.. JsonNode.Parse(run.Stdout)!["problems"]!.AsArray().Select(p => p!["code"]!.ToString())];

    [Fact]
    public async Task The_examples_fix_a_PERMISSIVE_backend_and_an_undeclared_port_and_admit_NIC()
    {
        await using var lab = await DiagnosticsLab.StartAsync(converged: true);
        lab.MakeBackendPermissive();
        lab.Edit("v1/services", DiagnosticsLab.Namespace, "httpbin", s => s["spec"]!["ports"]![0]!["name"] = "web");
        var broken = await lab.DescribeAsync(DiagnosticsLab.EgressServer, "-o", "json");
        Assert.Equal(1, broken.ExitCode);
        Assert.Equal(["PeerAuthenticationNotStrict", "PortProtocolUndeclared"], Codes(broken).Order());

        var (exit, stdout, stderr) = await ChildProcess.RunAsync(
            KubectlPath.Kubectl, Repo.Root,
            ["--kubeconfig", lab.Kubeconfig, "apply", "-f", Example("peer-authentication-strict.yaml"), "-f", Example("service-port-naming.yaml"), "-f", Example("authorization-policy-nic.yaml")],
            "kubectl 1.33", TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"kubectl apply failed ({exit}):\n{stdout}\n{stderr}");

        var fixedUp = await lab.DescribeAsync(DiagnosticsLab.EgressServer, "-o", "json");
        Assert.True(fixedUp.ExitCode == 0, fixedUp.Stdout);
        Assert.Empty(Codes(fixedUp));

        var policy = lab.Server.Store.Get(new MeshBridge.Lab.ApiServer.StoreKey("security.istio.io/v1/authorizationpolicies", DiagnosticsLab.Namespace, "httpbin-from-nic"))!;
        var principal = policy["spec"]!["rules"]![0]!["from"]![0]!["source"]!["principals"]![0]!.ToString();
        Assert.Equal(NicIdentity.Default.SpiffeId("cluster.local")["spiffe://".Length..], principal);
        Assert.Equal(DiagnosticsLab.NicSpiffeId, "spiffe://" + principal);
    }
}
