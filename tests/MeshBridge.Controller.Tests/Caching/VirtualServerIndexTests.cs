using System.Text.Json;
using MeshBridge.Controller.Caching;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Controller.Tests.Caching;

public sealed class VirtualServerIndexTests
{
    private static VirtualServer Server(string ns, string name, string? mode, string host = "a.example.com", string? ingressClass = null, string? policy = null)
    {
        var annotations = mode is null ? string.Empty : $$""","annotations":{"meshbridge.io/mode":"{{mode}}"}""";
        var classField = ingressClass is null ? string.Empty : $$""","ingressClassName":"{{ingressClass}}" """;
        var policies = policy is null ? string.Empty : $$""","policies":[{"name":"{{policy}}"}]""";
        return JsonSerializer.Deserialize(
            $$"""{"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"{{name}}","namespace":"{{ns}}"{{annotations}}},"spec":{"host":"{{host}}"{{classField}}{{policies}}""" + "}}",
            ModelJsonContext.Default.VirtualServer)!;
    }

    [Fact]
    public void Peers_summarise_every_other_VirtualServer_by_class_and_mode()
    {
        var index = new VirtualServerIndex();
        for (var i = 0; i < 7; i++)
        {
            index.OnAdd(Server("shop", $"s{i}", "sidecar", ingressClass: "nginx"));
        }

        index.OnAdd(Server("shop", "plain", null, ingressClass: "nginx"));
        index.OnAdd(Server("shop", "bad", "sidcar", ingressClass: "nginx"));
        index.OnAdd(Server("edge", "e", "ambient", ingressClass: "edge"));

        var peers = index.Peers(new HashSet<string> { "shop/s0", "shop/s1" }, c => c != "edge");

        var sidecar = Assert.Single(peers, p => p.Mode == MeshMode.Sidecar);
        Assert.Equal(5, sidecar.Count);
        Assert.Equal("nginx", sidecar.IngressClass);
        Assert.DoesNotContain(new ResourceKey("VirtualServer", "shop", "s0"), sidecar.Examples);
        Assert.Equal(1, Assert.Single(peers, p => p.Mode == MeshMode.None).Count);
        Assert.Equal(2, peers.Count);
    }

    [Fact]
    public void An_update_moves_a_VirtualServer_between_hosts_modes_and_policies()
    {
        var index = new VirtualServerIndex();
        var before = Server("shop", "app", "egress-mtls", policy: "p");
        var after = Server("shop", "app", "sidecar", host: "b.example.com");
        index.OnAdd(before);

        index.OnUpdate(before, after);

        Assert.Empty(index.Hosts.On("a.example.com"));
        Assert.Equal(["shop/app"], index.Hosts.On("b.example.com"));
        Assert.Empty(index.PolicyReferences(new HashSet<string> { "shop" }, new HashSet<string>()));
        Assert.Equal(MeshMode.Sidecar, Assert.Single(index.Peers(new HashSet<string>(), _ => true)).Mode);
    }

    [Fact]
    public void Policy_references_exclude_the_reconciled_VirtualServers()
    {
        var index = new VirtualServerIndex();
        index.OnAdd(Server("shop", "a", "egress-mtls", policy: "p"));
        index.OnAdd(Server("shop", "b", "egress-mtls", policy: "p"));
        var policy = new ResourceKey("Policy", "shop", "p");

        Assert.Equal([policy], index.PolicyReferences(new HashSet<string> { "shop" }, new HashSet<string> { "shop/a" }));
        Assert.Empty(index.PolicyReferences(new HashSet<string> { "shop" }, new HashSet<string> { "shop/a", "shop/b" }));
        Assert.Empty(index.PolicyReferences(new HashSet<string> { "other" }, new HashSet<string>()));
    }

    [Fact]
    public void Starting_or_ending_an_enrollment_conflict_requeues_every_VirtualServer_that_shares_the_instance()
    {
        var requeued = new List<IReadOnlyCollection<string>>();
        var index = new VirtualServerIndex(requeued.Add);
        index.OnAdd(Server("shop", "a", "sidecar", ingressClass: "nginx"));
        index.OnAdd(Server("shop", "b", "sidecar", ingressClass: "nginx"));
        index.OnAdd(Server("other", "x", "ambient", ingressClass: "internal"));
        Assert.Empty(requeued);

        var ambient = Server("shop", "c", "ambient", ingressClass: "nginx");
        index.OnAdd(ambient);
        Assert.Equal(["shop/a", "shop/b", "shop/c"], Assert.Single(requeued).Order());

        index.OnUpdate(ambient, Server("shop", "c", "sidecar", ingressClass: "nginx"));
        Assert.Equal(["shop/a", "shop/b", "shop/c"], requeued[1].Order());

        index.OnUpdate(Server("shop", "c", "sidecar", ingressClass: "nginx"), Server("shop", "c", "sidecar", host: "moved.example.com", ingressClass: "nginx"));
        Assert.Equal(2, requeued.Count);
    }
}
