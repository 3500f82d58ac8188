using MeshBridge.Cli.Diagnostics;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Manifests;

namespace MeshBridge.Tests.Cli;

/// <summary>Describe's pure checks: the effective PeerAuthentication mode as istiod resolves it, and a port's declared protocol.</summary>
public sealed class DescribeChecksTests
{
    private static readonly Dictionary<string, string> Pod = new() { ["app"] = "httpbin" };

    private static List<GenericObject> Policies(string yaml) => ManifestReader.Read(yaml, "test")
        .Select(d => System.Text.Json.JsonSerializer.Deserialize(d.Node!.ToJsonString(), KubernetesJsonContext.Default.GenericObject)!)
        .ToList();

    [Fact]
    public void No_policy_is_Istio_s_default_PERMISSIVE() =>
        Assert.Equal("PERMISSIVE", PeerAuthenticationResolver.Resolve([], "istio-system", "demo", Pod, 80).Mode);

    [Fact]
    public void A_namespace_policy_wins_over_the_mesh_wide_one_and_UNSET_inherits()
    {
        var policies = Policies("""
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}
            spec: {mtls: {mode: STRICT}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: demo}
            spec: {mtls: {mode: PERMISSIVE}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: other}
            spec: {mtls: {mode: UNSET}}
            """);

        Assert.Equal(("PERMISSIVE", "demo/default (namespace)"), PeerAuthenticationResolver.Resolve(policies, "istio-system", "demo", Pod, 80));
        Assert.Equal(("STRICT", "istio-system/default (mesh-wide)"), PeerAuthenticationResolver.Resolve(policies, "istio-system", "other", Pod, 80));
    }

    [Fact]
    public void A_selecting_policy_applies_only_to_matching_pods_and_its_port_level_mode_only_to_its_port()
    {
        var policies = Policies("""
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: demo}
            spec: {mtls: {mode: STRICT}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: httpbin, namespace: demo}
            spec:
              selector: {matchLabels: {app: httpbin}}
              mtls: {mode: PERMISSIVE}
              portLevelMtls:
                "8080": {mode: DISABLE}
            """);

        Assert.Equal("PERMISSIVE", PeerAuthenticationResolver.Resolve(policies, "istio-system", "demo", Pod, 80).Mode);
        Assert.Equal("DISABLE", PeerAuthenticationResolver.Resolve(policies, "istio-system", "demo", Pod, 8080).Mode);
        Assert.Equal("STRICT", PeerAuthenticationResolver.Resolve(policies, "istio-system", "demo", new Dictionary<string, string> { ["app"] = "web" }, 80).Mode);
    }

    [Theory]
    [InlineData("http", null, "http", true)]
    [InlineData("http-web", null, "http", true)]
    [InlineData("HTTP2", null, "http2", true)]
    [InlineData("grpc-web", null, "grpc-web", true)]
    [InlineData("grpc-api", null, "grpc", true)]
    [InlineData("tcp-db", null, "tcp", false)]
    [InlineData("https", null, "https", false)]
    [InlineData("web", null, "undeclared", false)]
    [InlineData("httpbin", null, "undeclared", false)]
    [InlineData(null, null, "undeclared", false)]
    [InlineData("web", "http", "http", true)]
    [InlineData("http", "tcp", "tcp", false)]
    [InlineData("web", "kubernetes.io/h2c", "http2", true)]
    public void A_port_s_protocol_is_its_appProtocol_else_its_name_prefix(string? name, string? appProtocol, string protocol, bool isHttp) =>
        Assert.Equal((protocol, isHttp), PortProtocol.Of(name, appProtocol));
}
