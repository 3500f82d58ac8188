using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Controller.Caching;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Controller.Tests.Caching;

/// <summary>The mesh facts MeshBridge reads from IngressClasses, Istio's mesh ConfigMap and namespaces.</summary>
public sealed class MeshFactsTests
{
    [Fact]
    public void A_NIC_IngressClass_is_one_whose_controller_is_NIC()
    {
        var classes = new[]
        {
            IngressClass("nginx-sidecar", "nginx.org/ingress-controller"),
            IngressClass("community", "k8s.io/ingress-nginx"),
            IngressClass("nginx", "nginx.org/ingress-controller"),
            Object("""{"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"no-spec"}}"""),
        };

        Assert.True(MeshFacts.IsNicIngressClass(classes[2]));
        Assert.True(MeshFacts.IsNicIngressClass(classes[0]));
        Assert.False(MeshFacts.IsNicIngressClass(classes[1]));
        Assert.False(MeshFacts.IsNicIngressClass(classes[3]));
        Assert.False(MeshFacts.IsNicIngressClass(null));
    }

    public static TheoryData<string, string> TrustDomains() => new()
    {
        { "trustDomain: example.org\n", "example.org" },
        { "trustDomain: \"quoted.example\"  # the mesh's domain\n", "quoted.example" },
        { "trustDomain: 'single.example'\n", "single.example" },
        { "# trustDomain: commented.example\ntrustDomain: real.example # trustDomain: trailing.example\n", "real.example" },
        { "defaultConfig:\n  trustDomain: nested.example\n  discoveryAddress: istiod.istio-system.svc:15012\ntrustDomain: top.example\n", "top.example" },
        { "caCertificates:\n- pem: x\n  trustDomains: [a.example]\ntrustDomainAliases: [alias.example]\n", "cluster.local" },
        { "defaultConfig:\n  trustDomain: nested.example\n", "cluster.local" },
        { "{\"trustDomain\": \"json.example\", \"enableTracing\": true}", "json.example" },
        { "{trustDomain: flow.example}", "flow.example" },
        { "trustDomain: >-\n  folded.example\n", "folded.example" },
        { "td: &td anchored.example\ntrustDomain: *td\n", "anchored.example" },
        { "trustDomain:\n", "cluster.local" },
        { "trustDomain: ~\n", "cluster.local" },
        { "# only a comment\n", "cluster.local" },
        { "", "cluster.local" },
        { "enableTracing: true\n", "cluster.local" },
    };

    [Theory]
    [MemberData(nameof(TrustDomains))]
    public void TrustDomain_is_the_top_level_trustDomain_of_the_mesh_document(string mesh, string expected)
    {
        var facts = MeshFacts.MeshConfig([ConfigMap("istio", mesh)], revision: null);

        Assert.Equal(expected, facts.TrustDomain);
        Assert.Equal("istio-system/istio", facts.ConfigMap);
        Assert.Null(facts.Problem);
    }

    public static TheoryData<string, string> MalformedMesh() => new()
    {
        { "trustDomain: [unclosed\n", "not valid YAML" },
        { "trustDomain: a.example\n\tbad: tab\n", "not valid YAML: line" },
        { "trustDomain: \"unterminated\n", "not valid YAML" },
        { "trustDomain: a.example\ntrustDomain: b.example\n", "not valid YAML" },
        { "- trustDomain: listed.example\n", "a MeshConfig is a mapping, found a list" },
        { "trustDomain:\n  name: mapped.example\n", "trustDomain must be a string, found a mapping" },
        { "trustDomain: \"\"\n", "trustDomain is empty" },
        { "trustDomain: 2024\n", "trustDomain 2024 is not a string" },
        { "trustDomain: yes\n", "trustDomain yes is not a string" },
    };

    [Theory]
    [MemberData(nameof(MalformedMesh))]
    public void A_mesh_document_istiod_would_reject_gives_the_default_and_a_problem(string mesh, string problem)
    {
        var facts = MeshFacts.MeshConfig([ConfigMap("istio", mesh)], revision: null);

        Assert.Equal("cluster.local", facts.TrustDomain);
        Assert.NotNull(facts.Problem);
        Assert.StartsWith("ConfigMap istio-system/istio, data.mesh: ", facts.Problem, StringComparison.Ordinal);
        Assert.Contains(problem, facts.Problem, StringComparison.Ordinal);
        Assert.EndsWith("using the default trust domain \"cluster.local\"", facts.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quoted_number_is_a_string_trust_domain()
    {
        Assert.Equal("2024", MeshFacts.MeshConfig([ConfigMap("istio", "trustDomain: \"2024\"\n")], null).TrustDomain);
    }

    [Theory]
    [InlineData(null, "default.example", "istio-system/istio")]
    [InlineData("canary", "canary.example", "istio-system/istio-canary")]
    [InlineData("1-24", "default.example", "istio-system/istio")]
    [InlineData("", "default.example", "istio-system/istio")]
    public void A_revision_reads_its_own_ConfigMap_when_it_exists_else_istio(string? revision, string expected, string source)
    {
        var configMaps = new[]
        {
            ConfigMap("istio", "trustDomain: default.example\n"),
            ConfigMap("istio-canary", "trustDomain: canary.example\n"),
            ConfigMap("istio-sidecar-injector", "trustDomain: wrong.example\n"),
        };

        var facts = MeshFacts.MeshConfig(configMaps, revision);

        Assert.Equal(expected, facts.TrustDomain);
        Assert.Equal(source, facts.ConfigMap);
    }

    [Fact]
    public void No_mesh_ConfigMap_or_no_mesh_key_gives_the_default_without_a_problem()
    {
        var none = MeshFacts.MeshConfig([ConfigMap("istio-ca-root-cert", "trustDomain: wrong.example\n")], "canary");
        var noKey = MeshFacts.MeshConfig([Object("""{"kind":"ConfigMap","metadata":{"name":"istio","namespace":"istio-system"},"data":{"meshNetworks":"networks: {}"}}""")], null);

        Assert.Equal(new MeshConfigFacts("cluster.local", null, null), none);
        Assert.Equal(new MeshConfigFacts("cluster.local", "istio-system/istio", null), noKey);
    }

    [Theory]
    [InlineData("""{"istio.io/rev":"canary"}""", "canary")]
    [InlineData("""{"istio.io/rev":"canary","istio-injection":"enabled"}""", null)]
    [InlineData("""{"istio.io/rev":"canary","istio-injection":"disabled"}""", null)]
    [InlineData("""{"istio-injection":"enabled"}""", null)]
    [InlineData("""{"istio.io/rev":""}""", null)]
    [InlineData("""{"team":"a"}""", null)]
    [InlineData("null", null)]
    public void IstioRevisionOf_is_the_rev_label_unless_an_injection_label_says_default(string labels, string? expected)
    {
        Assert.Equal(expected, MeshFacts.IstioRevisionOf(Namespace("nginx-ingress", labels)));
    }

    [Fact]
    public void IstioRevisionOf_an_unknown_namespace_is_the_default()
    {
        Assert.Null(MeshFacts.IstioRevisionOf(null));
    }

    [Fact]
    public void NamespaceSelected_needs_a_known_matching_namespace_only_when_a_selector_is_set()
    {
        var selector = LabelSelector.Parse("mesh=on");
        var on = Namespace("a", """{"mesh":"on"}""");
        var off = Namespace("b", """{"mesh":"off"}""");

        Assert.True(MeshFacts.NamespaceSelected(null, null));
        Assert.True(MeshFacts.NamespaceSelected(null, off));
        Assert.True(MeshFacts.NamespaceSelected(selector, on));
        Assert.False(MeshFacts.NamespaceSelected(selector, off));
        Assert.False(MeshFacts.NamespaceSelected(selector, null));
    }

    private static GenericObject IngressClass(string name, string controller) => Object(new JsonObject
    {
        ["apiVersion"] = "networking.k8s.io/v1",
        ["kind"] = "IngressClass",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["controller"] = controller },
    }.ToJsonString());

    private static GenericObject ConfigMap(string name, string mesh) => Object(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "istio-system" },
        ["data"] = new JsonObject { ["mesh"] = mesh },
    }.ToJsonString());

    private static GenericObject Namespace(string name, string labelsJson) => Object(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = JsonNode.Parse(labelsJson) },
    }.ToJsonString());

    private static GenericObject Object(string json) => JsonSerializer.Deserialize(json, KubernetesJsonContext.Default.GenericObject)!;
}
