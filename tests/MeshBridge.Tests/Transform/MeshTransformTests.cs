using MeshBridge.Transform;
using MeshBridge.Transform.Model;
using static MeshBridge.Tests.Transform.Objects;

namespace MeshBridge.Tests.Transform;

public sealed class MeshTransformTests
{
    private static TransformResult Apply(TransformOptions? options = null, params object[] objects) => MeshTransform.Apply(
        new TransformInput
        {
            VirtualServers = objects.OfType<VirtualServer>().ToList(),
            VirtualServerRoutes = objects.OfType<VirtualServerRoute>().ToList(),
            Policies = objects.OfType<Policy>().ToList(),
            Workloads = objects.OfType<Workload>().ToList(),
        },
        options ?? new TransformOptions());

    [Fact]
    public void An_object_that_needs_no_change_comes_back_as_the_same_instance()
    {
        var meshed = Apply(null, SidecarServer()).VirtualServers[0];

        var again = Apply(null, meshed).VirtualServers[0];
        var plain = SidecarServer("none");

        Assert.Same(meshed, again);
        Assert.Same(plain, Apply(null, plain).VirtualServers[0]);
    }

    [Fact]
    public void A_record_MeshBridge_did_not_write_is_an_error_and_nothing_changes()
    {
        var server = SidecarServer(annotationsExtra: ""","meshbridge.io/applied":"{not json" """.TrimEnd());

        var result = Apply(null, server);

        Assert.Same(server, result.VirtualServers[0]);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticReasons.InvalidAppliedRecord, error.Reason);
        Assert.Equal("metadata.annotations[\"meshbridge.io/applied\"]", error.Path);
    }

    [Theory]
    [InlineData("""{"name":"nic","image":"nginx/nginx-ingress:5.5.4"}""", "nginx")]
    [InlineData("""{"name":"nic","image":"private-registry.nginx.com/nginx-ic/nginx-plus-ingress@sha256:abc","args":["--ingress-class","internal"]}""", "internal")]
    [InlineData("""{"name":"nic","image":"example.com/mirror/ingress:1","args":["-nginx-configmaps=ingress/cfg","-ingress-class=edge"]}""", "edge")]
    public void NIC_is_recognised_by_its_image_or_flags_and_serves_its_ingress_class(string container, string ingressClass)
    {
        var nic = Nic(container);

        Assert.True(NicInstance.LooksLikeNic(nic));
        Assert.Equal(ingressClass, NicInstance.Describe(nic, new ResourceKey("Deployment", "ingress", "nic")).IngressClass);
    }

    [Fact]
    public void A_workload_that_is_not_NIC_is_never_enrolled()
    {
        var other = Nic("""{"name":"web","image":"nginx:1.27","ports":[{"containerPort":80}]}""");

        var result = Apply(null, SidecarServer(), other);

        Assert.False(NicInstance.LooksLikeNic(other));
        Assert.Same(other, result.Workloads[0]);
    }

    [Fact]
    public void An_explicit_ingress_workload_is_enrolled_even_without_NIC_image_or_flags()
    {
        var custom = Nic("""{"name":"proxy","image":"example.com/custom-nic:1"}""");
        var options = new TransformOptions { IngressWorkload = new WorkloadReference("ingress", "Deployment", "nic") };

        var result = Apply(options, SidecarServer(), custom);

        Assert.Equal("true", result.Workloads[0].Spec!.Template!.Metadata!.Labels!["sidecar.istio.io/inject"]);
        Assert.Equal("80,443", result.Workloads[0].Spec!.Template!.Metadata!.Annotations!["traffic.sidecar.istio.io/excludeInboundPorts"]);
    }

    [Fact]
    public void An_existing_proxy_config_is_kept_with_a_warning()
    {
        var nic = Nic("""{"name":"nic","image":"nginx/nginx-ingress:5.5.4"}""",
            """{"labels":{"app":"nic"},"annotations":{"proxy.istio.io/config":"concurrency: 2"}}""");

        var result = Apply(null, SidecarServer(), nic);

        Assert.Equal("concurrency: 2", result.Workloads[0].Spec!.Template!.Metadata!.Annotations!["proxy.istio.io/config"]);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal(DiagnosticReasons.ProxyConfigKept, warning.Reason);
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void The_egress_policy_uses_the_identity_of_the_NIC_instance_serving_the_VirtualServer()
    {
        var nic = Nic("""{"name":"nic","image":"nginx/nginx-ingress:5.5.4"}""");

        var result = Apply(null, SidecarServer("egress-mtls"), nic);

        var created = Assert.Single(result.CreatedPolicies);
        Assert.Equal("meshbridge-mtls.ingress.nic-sa", created.Policy.Metadata.Name);
        Assert.Equal("meshbridge-mtls.ingress.nic-sa.tls", created.Policy.Spec!.EgressMtls!.TlsSecret);
        Assert.Equal(new ResourceKey("VirtualServer", "shop", "app"), created.FirstReferencedBy);
        Assert.Same(nic, result.Workloads[0]);
    }

    [Fact]
    public void Long_identities_give_names_that_still_fit_NIC_and_Kubernetes_limits()
    {
        var a = new NicIdentity("ingress-" + new string('n', 50), "sa-" + new string('s', 200));
        var b = a with { ServiceAccount = a.ServiceAccount + "x" };

        var name = EgressMtlsPolicyBuilder.PolicyName(a);

        Assert.True(EgressMtlsPolicyBuilder.TlsSecretName(a).Length <= 63);
        Assert.StartsWith("meshbridge-mtls.ingress-", name, StringComparison.Ordinal);
        Assert.NotEqual(name, EgressMtlsPolicyBuilder.PolicyName(b));
        Assert.Equal(name, EgressMtlsPolicyBuilder.PolicyName(a));
    }

    [Fact]
    public void An_owned_policy_edited_by_hand_is_put_back_as_MeshBridge_needs_it()
    {
        var policy = Policy("""
            {"apiVersion":"k8s.nginx.org/v1","kind":"Policy",
             "metadata":{"name":"meshbridge-mtls.nginx-ingress.nginx-ingress","namespace":"shop","resourceVersion":"9",
                         "labels":{"app.kubernetes.io/managed-by":"meshbridge","team":"shop"}},
             "spec":{"egressMTLS":{"tlsSecret":"meshbridge-mtls.nginx-ingress.nginx-ingress.tls","verifyServer":true}}}
            """);

        var result = Apply(null, SidecarServer("egress-mtls"), policy);

        var fixedPolicy = result.Policies[0];
        Assert.Empty(result.CreatedPolicies);
        Assert.False(fixedPolicy.Spec!.EgressMtls!.VerifyServer);
        Assert.Equal("meshbridge-mtls.nginx-ingress.nginx-ingress.ca", fixedPolicy.Spec.EgressMtls.TrustedCertSecret);
        Assert.Equal("9", fixedPolicy.Metadata.ResourceVersion);
        Assert.Equal("shop", fixedPolicy.Metadata.Labels!["team"]);
    }

    [Fact]
    public void A_VirtualServerRoute_no_input_VirtualServer_references_is_left_alone_unless_a_mode_is_forced()
    {
        var route = Route("""
            {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServerRoute","metadata":{"name":"tea","namespace":"shop"},
             "spec":{"host":"app.example.com","upstreams":[{"name":"tea","service":"tea","port":80}],"subroutes":[{"path":"/tea","action":{"pass":"tea"}}]}}
            """);

        var alone = Apply(null, route);
        var forced = Apply(new TransformOptions { ModeOverride = MeshMode.Ambient }, route);

        Assert.Same(route, alone.VirtualServerRoutes[0]);
        Assert.True(forced.VirtualServerRoutes[0].Spec!.Upstreams![0].UseClusterIP);
    }

    [Fact]
    public void A_client_cert_header_the_user_already_clears_is_not_added_twice()
    {
        var server = Server("""
            {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","metadata":{"name":"app","namespace":"shop","annotations":{"meshbridge.io/mode":"egress-mtls"}},
             "spec":{"host":"app.example.com","upstreams":[{"name":"app","service":"app","port":80}],
                     "routes":[{"path":"/","action":{"proxy":{"upstream":"app","requestHeaders":{"set":[{"name":"x-forwarded-client-cert","value":""}]}}}}]}}
            """);

        var result = Apply(null, server);

        var set = result.VirtualServers[0].Spec!.Routes![0].Action!.Proxy!.RequestHeaders!.Set!;
        Assert.Single(set);
        Assert.DoesNotContain("\"actions\"", result.VirtualServers[0].Metadata.Annotations!["meshbridge.io/applied"], StringComparison.Ordinal);
    }
}
