using System.Text.Json.Nodes;
using static MeshBridge.Tests.Cli.DiagnosticsLab;

namespace MeshBridge.Tests.Cli;

/// <summary>describe run by someone who may read the mesh objects but not Secrets or pods, on a lab enforcing RBAC.</summary>
public sealed class DescribeRbacTests
{
    private const string Viewer = """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: viewer, namespace: demo-meshed}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: mesh-viewer}
        rules:
        - {apiGroups: [k8s.nginx.org], resources: [virtualservers, virtualserverroutes, policies], verbs: [list, get]}
        - {apiGroups: [apps], resources: [deployments, daemonsets, statefulsets], verbs: [list]}
        - {apiGroups: [networking.k8s.io], resources: [ingressclasses], verbs: [list]}
        - {apiGroups: [""], resources: [namespaces, configmaps], verbs: [list]}
        - {apiGroups: [""], resources: [services], verbs: [get]}
        - {apiGroups: [security.istio.io], resources: [peerauthentications], verbs: [list]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: mesh-viewer}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: mesh-viewer}
        subjects:
        - {kind: ServiceAccount, name: viewer, namespace: demo-meshed}
        """;

    [Fact]
    public async Task Without_rights_on_Secrets_the_certificate_is_a_warning_and_the_rest_is_still_checked()
    {
        await using var lab = await StartAsync(converged: true, enforceRbac: true);
        lab.Create(Viewer);
        var kubeconfig = lab.Server.WriteServiceAccountKubeconfig(Path.Combine(Path.GetDirectoryName(lab.Kubeconfig)!, "viewer.kubeconfig"), Namespace, "viewer");

        var run = await Task.Run(() => Support.CliRun.Invoke(["describe", "virtualserver", EgressServer, "-n", Namespace, "-o", "json", "--kubeconfig", kubeconfig]));

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var report = JsonNode.Parse(run.Stdout)!;
        var problem = Assert.Single(report["problems"]!.AsArray())!;
        Assert.Equal("SecretForbidden", problem["code"]!.ToString());
        Assert.Equal("warning", problem["severity"]!.ToString());
        Assert.Equal("STRICT", report["upstreams"]![0]!["peerAuthentication"]!.ToString());
        Assert.Equal(NicSpiffeId, report["upstreams"]![0]!["xfccIdentity"]!.ToString());
        Assert.Contains(lab.Server.Denials, d => d.Resource == "secrets" && d.User == "system:serviceaccount:demo-meshed:viewer");
    }
}
