using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Controller.Caching;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Controller.Tests.Caching;

/// <summary>The mesh facts MeshBridge reads from IngressClasses, Istio's mesh ConfigMap and namespaces.</summary>
public sealed class MeshFactsTests
{
    [Fact]
    public void NicIngressClasses_are_the_classes_whose_controller_is_NIC()
    {
        var classes = new[]
        {
            IngressClass("nginx-sidecar", "nginx.org/ingress-controller"),
            IngressClass("community", "k8s.io/ingress-nginx"),
            IngressClass("nginx", "nginx.org/ingress-controller"),
            Object("""{"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"no-spec"}}"""),
        };

        Assert.Equal(["nginx", "nginx-sidecar"], MeshFacts.NicIngressClasses(classes));
        Assert.True(MeshFacts.IsNicIngressClass(classes[0]));
        Assert.False(MeshFacts.IsNicIngressClass(classes[1]));
        Assert.False(MeshFacts.IsNicIngressClass(classes[3]));
        Assert.False(MeshFacts.IsNicIngressClass(null));
    }

    [Fact]
    public void DefaultIngressClass_is_the_one_annotated_true()
    {
        var classes = new[]
        {
            IngressClass("nginx", "nginx.org/ingress-controller", isDefault: "false"),
            IngressClass("nginx-sidecar", "nginx.org/ingress-controller", isDefault: "true"),
            IngressClass("other", "nginx.org/ingress-controller", isDefault: "True"),
        };

        Assert.Equal("nginx-sidecar", MeshFacts.DefaultIngressClass(classes));
        Assert.Null(MeshFacts.DefaultIngressClass(classes.Take(1)));
    }

    [Fact]
    public void DefaultIngressClass_among_several_is_the_newest_then_the_first_by_name_as_the_admission_plugin_chooses()
    {
        var older = IngressClass("a-old", "nginx.org/ingress-controller", isDefault: "true", created: "2024-01-01T00:00:00Z");
        var newerB = IngressClass("b-new", "k8s.io/ingress-nginx", isDefault: "true", created: "2025-06-01T00:00:00Z");
        var newerC = IngressClass("c-new", "nginx.org/ingress-controller", isDefault: "true", created: "2025-06-01T00:00:00Z");

        Assert.Equal("b-new", MeshFacts.DefaultIngressClass([older, newerC, newerB]));
        Assert.Equal("c-new", MeshFacts.DefaultIngressClass([older, newerC]));
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

    private static GenericObject IngressClass(string name, string controller, string? isDefault = null, string? created = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (isDefault is not null)
        {
            metadata["annotations"] = new JsonObject { ["ingressclass.kubernetes.io/is-default-class"] = isDefault };
        }

        if (created is not null)
        {
            metadata["creationTimestamp"] = created;
        }

        return Object(new JsonObject
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "IngressClass",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["controller"] = controller },
        }.ToJsonString());
    }

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
