using MeshBridge.Transform;
using MeshBridge.Transform.Model;
using static MeshBridge.Tests.Transform.Objects;

namespace MeshBridge.Tests.Transform;

/// <summary>
/// VirtualServers outside the input, passed as summaries (as the controller does), must weigh in on NIC enrollment
/// exactly as if they were in the input, and keep a Policy they use alive.
/// </summary>
public sealed class PeerServersTests
{
    private static readonly Workload NicWorkload = Nic("""{"name":"nic","image":"nginx/nginx-ingress:5.5.4"}""");

    private static PeerServers Peers(MeshMode mode, int count, string? ingressClass = null) =>
        new(ingressClass, mode, count, Enumerable.Range(0, Math.Min(count, 3)).Select(i => new ResourceKey(VirtualServer.KubeKind, "other", $"vs-{i}")).ToList());

    private static TransformResult Apply(IReadOnlyList<PeerServers> peers, params VirtualServer[] servers) => MeshTransform.Apply(
        new TransformInput { VirtualServers = servers, Workloads = [NicWorkload], Peers = peers },
        new TransformOptions());

    [Fact]
    public void A_peer_asking_for_another_mode_is_an_enrollment_conflict_naming_it()
    {
        var result = Apply([Peers(MeshMode.Ambient, 12)], SidecarServer());

        Assert.Same(NicWorkload, result.Workloads[0]);
        var onServer = Assert.Single(result.Diagnostics, d => d.Resource.Kind == VirtualServer.KubeKind);
        Assert.Equal(DiagnosticReasons.EnrollmentConflict, onServer.Reason);
        Assert.Contains("ambient by VirtualServer other/vs-0, VirtualServer other/vs-1, VirtualServer other/vs-2 and 9 more", onServer.Message, StringComparison.Ordinal);
        Assert.Contains("sidecar by VirtualServer shop/app", onServer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Peers_alone_decide_enrollment_when_the_input_has_no_VirtualServer()
    {
        var enrolled = Apply([Peers(MeshMode.Sidecar, 2)]).Workloads[0];
        var left = Apply([Peers(MeshMode.Sidecar, 0)]).Workloads[0];

        Assert.Equal("true", enrolled.Spec!.Template!.Metadata!.Labels!["sidecar.istio.io/inject"]);
        Assert.Same(NicWorkload, left);
    }

    [Fact]
    public void A_peer_of_another_ingress_class_is_not_served_by_this_instance()
    {
        var result = Apply([Peers(MeshMode.Ambient, 3, "internal")], SidecarServer());

        Assert.False(result.HasErrors);
        Assert.Equal("true", result.Workloads[0].Spec!.Template!.Metadata!.Labels!["sidecar.istio.io/inject"]);
    }

    [Fact]
    public void Peers_that_ask_for_none_unenroll_the_instance_when_no_VirtualServer_asks_for_a_mode()
    {
        var enrolled = Apply([], SidecarServer()).Workloads[0];
        TransformResult Later(IReadOnlyList<PeerServers> peers) => MeshTransform.Apply(
            new TransformInput { Workloads = [enrolled], Peers = peers }, new TransformOptions());

        Assert.Equal(Json(NicWorkload), Json(Later([Peers(MeshMode.None, 5)]).Workloads[0]));
        Assert.Same(enrolled, Later([]).Workloads[0]);
    }

    [Fact]
    public void A_MeshBridge_Policy_still_referenced_elsewhere_is_not_retired()
    {
        var egress = Apply([], SidecarServer("egress-mtls"));
        var policy = egress.CreatedPolicies[0].Policy;
        var policyKey = new ResourceKey(MeshBridge.Transform.Model.Policy.KubeKind, "shop", policy.Metadata.Name!);
        TransformResult Revert(IReadOnlySet<ResourceKey> elsewhere) => MeshTransform.Apply(
            new TransformInput
            {
                VirtualServers = [Server(Json(egress.VirtualServers[0]).Replace("\"egress-mtls\"", "\"none\"", StringComparison.Ordinal))],
                Policies = [policy],
                Workloads = [NicWorkload],
                PolicyReferencesElsewhere = elsewhere,
            },
            new TransformOptions());

        Assert.Equal([policyKey], Revert(new HashSet<ResourceKey>()).DeletedPolicies);
        Assert.Empty(Revert(new HashSet<ResourceKey> { policyKey }).DeletedPolicies);
    }
}
