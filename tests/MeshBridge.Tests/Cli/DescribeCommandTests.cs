using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Cli;
using MeshBridge.Cli.Commands;
using MeshBridge.Tests.Support;
using static MeshBridge.Tests.Cli.DiagnosticsLab;

namespace MeshBridge.Tests.Cli;

/// <summary>
/// <c>meshbridge describe virtualserver</c> against the seed in the lab: healthy after MeshBridge converged, then
/// broken one way at a time, each caught with its code and remedy.
/// </summary>
public sealed class DescribeCommandTests
{
    private static JsonObject Json(CliRun run) => JsonNode.Parse(run.Stdout)!.AsObject();

    private static List<string> Codes(JsonObject report) => report["problems"]!.AsArray().Select(p => p!["code"]!.GetValue<string>()).ToList();

    private static JsonObject Problem(JsonObject report, string code) => report["problems"]!.AsArray().Single(p => p!["code"]!.GetValue<string>() == code)!.AsObject();

    [Fact]
    public async Task A_converged_egress_mtls_VirtualServer_exits_0_with_its_instance_upstream_and_certificate()
    {
        await using var lab = await StartAsync(converged: true);

        var run = await lab.DescribeAsync(EgressServer);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("  mode:            egress-mtls\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"  status:          Meshed: egress-mtls as {NicSpiffeId}\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("  NIC instance:    nginx-ingress/Deployment/nginx-ingress (class nginx, service account nginx-ingress/nginx-ingress)\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("    enrollment:    none\n", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n  httpbin +demo-meshed/httpbin +8081 +http \(name http\) +STRICT: istio-system/default \(mesh-wide\) +- +spiffe://cluster\.local/ns/nginx-ingress/sa/nginx-ingress\n", run.Stdout);
        Assert.Contains($"Certificate (Secret {Namespace}/{TlsSecret})\n  identity:        {NicSpiffeId}\n", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("No problems found.\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_converged_sidecar_VirtualServer_shows_the_enrollment_MeshBridge_set_and_the_Host_header()
    {
        await using var lab = await StartAsync(converged: true);

        var run = await lab.DescribeAsync(SidecarServer, "-o", "json");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var report = Json(run);
        Assert.Equal(1, report["schemaVersion"]!.GetValue<int>());
        Assert.Equal("sidecar", report["mode"]!.GetValue<string>());
        Assert.Equal("Meshed: sidecar", report["status"]!.GetValue<string>());
        var nic = report["nicInstances"]!.AsArray().Single()!;
        Assert.Equal("nginx-ingress/Deployment/nginx-ingress-sidecar", nic["workload"]!.GetValue<string>());
        Assert.Equal("sidecar", nic["enrollment"]!.GetValue<string>());
        Assert.Equal("pod label sidecar.istio.io/inject=true", nic["enrollmentSource"]!.GetValue<string>());
        Assert.True(nic["enrolledByMeshBridge"]!.GetValue<bool>());
        var upstream = report["upstreams"]!.AsArray().Single()!;
        Assert.Equal("httpbin.demo-meshed.svc.cluster.local", upstream["hostHeader"]!.GetValue<string>());
        Assert.Equal("spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress-sidecar", upstream["xfccIdentity"]!.GetValue<string>());
        Assert.Null(report["certificate"]);
        Assert.Empty(report["problems"]!.AsArray());
    }

    [Fact]
    public async Task A_PERMISSIVE_namespace_policy_fails_egress_mtls_with_a_STRICT_remedy()
    {
        await using var lab = await StartAsync(converged: true);
        lab.MakeBackendPermissive();

        var egress = await lab.DescribeAsync(EgressServer, "-o", "json");
        var sidecar = await lab.DescribeAsync(SidecarServer);

        Assert.Equal(DescribeCommand.ProblemsFound, egress.ExitCode);
        var report = Json(egress);
        Assert.Equal(["PeerAuthenticationNotStrict"], Codes(report));
        var problem = Problem(report, "PeerAuthenticationNotStrict");
        Assert.Equal("error", problem["severity"]!.GetValue<string>());
        Assert.Contains("PERMISSIVE (demo-meshed/default (namespace))", problem["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("apply a STRICT PeerAuthentication for the backend's namespace", problem["remedy"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("PERMISSIVE", report["upstreams"]![0]!["peerAuthentication"]!.GetValue<string>());
        Assert.Null(report["upstreams"]![0]!["xfccIdentity"]);
        // Sidecar mode reaches the backend sidecar-to-sidecar, which PERMISSIVE accepts.
        Assert.True(sidecar.ExitCode == 0, sidecar.Stdout);
    }

    [Fact]
    public async Task A_workload_policy_port_level_STRICT_wins_over_a_PERMISSIVE_namespace()
    {
        await using var lab = await StartAsync(converged: true);
        lab.Create("""
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: default
              namespace: demo-meshed
            spec:
              mtls:
                mode: PERMISSIVE
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: httpbin
              namespace: demo-meshed
            spec:
              selector:
                matchLabels:
                  app: httpbin
              portLevelMtls:
                "80":
                  mode: STRICT
            """);

        var run = await lab.DescribeAsync(EgressServer, "-o", "json");

        Assert.True(run.ExitCode == 0, run.Stdout);
        Assert.Equal("demo-meshed/httpbin (workload selector, portLevelMtls 80)", Json(run)["upstreams"]![0]!["peerAuthenticationSource"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_undeclared_port_protocol_fails_egress_mtls_and_names_the_port_fix()
    {
        await using var lab = await StartAsync(converged: true);
        lab.Edit("v1/services", Namespace, "httpbin", service => service["spec"]!["ports"]![0]!["name"] = "web");

        var run = await lab.DescribeAsync(EgressServer);
        var json = Json(await lab.DescribeAsync(EgressServer, "-o", "json"));

        Assert.Equal(DescribeCommand.ProblemsFound, run.ExitCode);
        Assert.Contains("  ERROR   PortProtocolUndeclared: Service demo-meshed/httpbin: port 8081 (name \"web\", no appProtocol) declares no protocol", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("remedy: name the Service port http-<x> (or http, http2, grpc) or set appProtocol: http, else the sidecar does TCP proxying and adds no XFCC", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("undeclared", json["upstreams"]![0]!["protocol"]!.GetValue<string>());
        Assert.False(json["upstreams"]![0]!["protocolDeclaredHttp"]!.GetValue<bool>());
        Assert.Null(json["upstreams"]![0]!["xfccIdentity"]);
    }

    [Fact]
    public async Task AppProtocol_http_declares_a_port_whatever_its_name()
    {
        await using var lab = await StartAsync(converged: true);
        lab.Edit("v1/services", Namespace, "httpbin", service =>
        {
            service["spec"]!["ports"]![0]!["name"] = "web";
            service["spec"]!["ports"]![0]!["appProtocol"] = "http";
        });

        var run = await lab.DescribeAsync(EgressServer);

        Assert.True(run.ExitCode == 0, run.Stdout);
        Assert.Contains(" http (appProtocol) ", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sidecar_NIC_whose_enrollment_label_was_removed_is_not_enrolled()
    {
        await using var lab = await StartAsync(converged: true);
        lab.Edit("apps/v1/deployments", "nginx-ingress", "nginx-ingress-sidecar",
            d => d["spec"]!["template"]!["metadata"]!["labels"]!.AsObject().Remove("sidecar.istio.io/inject"));

        var run = await lab.DescribeAsync(SidecarServer, "-o", "json");

        Assert.Equal(DescribeCommand.ProblemsFound, run.ExitCode);
        var report = Json(run);
        Assert.Equal("none", report["nicInstances"]![0]!["enrollment"]!.GetValue<string>());
        Assert.Contains("NicNotEnrolled", Codes(report));
        Assert.StartsWith("is 'meshbridge run' running?", Problem(report, "NicNotEnrolled")["remedy"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_NIC_pod_without_the_sidecar_is_caught_though_the_template_is_enrolled()
    {
        await using var lab = await StartAsync(converged: true);
        lab.Create("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: nginx-ingress-sidecar-new
              namespace: nginx-ingress
              labels: {app: nginx-ingress-sidecar, sidecar.istio.io/inject: "true"}
            spec:
              containers:
              - {name: nginx-ingress, image: nginx/nginx-ingress:5.5.4}
              - {name: istio-proxy, image: istio/proxyv2}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: nginx-ingress-sidecar-old
              namespace: nginx-ingress
              labels: {app: nginx-ingress-sidecar}
            spec:
              containers:
              - {name: nginx-ingress, image: nginx/nginx-ingress:5.5.4}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: unrelated
              namespace: nginx-ingress
              labels: {app: other}
            spec:
              containers:
              - {name: other, image: busybox}
            """);

        var run = await lab.DescribeAsync(SidecarServer, "-o", "json");

        Assert.Equal(DescribeCommand.ProblemsFound, run.ExitCode);
        var report = Json(run);
        Assert.Equal(2, report["nicInstances"]![0]!["pods"]!.GetValue<int>());
        Assert.Equal(1, report["nicInstances"]![0]!["podsInMesh"]!.GetValue<int>());
        Assert.Equal(["NicPodsNotInMesh"], Codes(report));
        Assert.Contains("1 of its 2 running pods are not in the mesh (no istio-proxy container)", Problem(report, "NicPodsNotInMesh")["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_controller_run_the_sidecar_VirtualServer_is_neither_meshed_nor_enrolled()
    {
        await using var lab = await StartAsync(converged: false);

        var run = await lab.DescribeAsync(SidecarServer, "-o", "json");

        Assert.Equal(DescribeCommand.ProblemsFound, run.ExitCode);
        Assert.Equal(["NotMeshed", "NicNotEnrolled", "UpstreamNotMeshed", "HostHeaderMissing"], Codes(Json(run)));
    }

    [Fact]
    public async Task An_expired_certificate_is_an_error_pointing_at_renewal_failures()
    {
        await using var lab = await StartAsync(converged: true);
        var now = DateTimeOffset.UtcNow;
        lab.Edit("v1/secrets", Namespace, TlsSecret, s => s["data"]!["tls.crt"] = Base64(LeafPem(NicSpiffeId, now.AddDays(-2), now.AddDays(-1))));

        var run = await lab.DescribeAsync(EgressServer, "-o", "json");

        Assert.Equal(DescribeCommand.ProblemsFound, run.ExitCode);
        var report = Json(run);
        Assert.Equal(["CertificateExpired"], Codes(report));
        Assert.True(report["certificate"]!["expired"]!.GetValue<bool>());
        Assert.Contains("CertificateRenewalFailed", Problem(report, "CertificateExpired")["remedy"]!.GetValue<string>(), StringComparison.Ordinal);
        var notBefore = report["certificate"]!["notBefore"]!.GetValue<DateTimeOffset>();
        var notAfter = report["certificate"]!["notAfter"]!.GetValue<DateTimeOffset>();
        Assert.Equal(notBefore + ((notAfter - notBefore) / 2), report["certificate"]!["nextRotation"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task A_certificate_for_another_identity_is_a_mismatch()
    {
        await using var lab = await StartAsync(converged: true);
        var now = DateTimeOffset.UtcNow;
        lab.Edit("v1/secrets", Namespace, TlsSecret, s => s["data"]!["tls.crt"] = Base64(LeafPem("spiffe://cluster.local/ns/other/sa/other", now.AddHours(-1), now.AddHours(23))));

        var run = await lab.DescribeAsync(EgressServer, "-o", "json");

        Assert.Equal(DescribeCommand.ProblemsFound, run.ExitCode);
        Assert.Equal(["CertificateIdentityMismatch"], Codes(Json(run)));
    }

    [Fact]
    public async Task Two_VirtualServers_asking_sidecar_and_ambient_of_one_instance_conflict()
    {
        await using var lab = await StartAsync(converged: true);
        lab.Create("""
            apiVersion: k8s.nginx.org/v1
            kind: VirtualServer
            metadata:
              name: ambient.example.com
              namespace: demo-meshed
              annotations:
                meshbridge.io/mode: ambient
            spec:
              ingressClassName: nginx-sidecar
              host: ambient.example.com
              upstreams:
              - name: httpbin
                service: httpbin
                port: 8081
              routes:
              - path: /
                action:
                  pass: httpbin
            """);

        var run = await lab.DescribeAsync(SidecarServer);

        Assert.Equal(DescribeCommand.ProblemsFound, run.ExitCode);
        Assert.Contains("  ERROR   EnrollmentConflict: VirtualServer demo-meshed/nic-meshed.example.com: metadata.annotations[\"meshbridge.io/mode\"]: NIC instance Deployment nginx-ingress/nginx-ingress-sidecar (ingress class \"nginx-sidecar\") is asked for ambient by VirtualServer demo-meshed/ambient.example.com; sidecar by VirtualServer demo-meshed/nic-meshed.example.com;", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("remedy: one NIC instance is enrolled one way only: serve sidecar and ambient VirtualServers from separate NIC instances", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_egress_mtls_VirtualServer_on_an_enrolled_instance_is_caught()
    {
        await using var lab = await StartAsync(converged: true);
        lab.Edit("v1/namespaces", string.Empty, "nginx-ingress", ns => ns["metadata"]!["labels"] = new JsonObject { ["istio-injection"] = "enabled" });

        var run = await lab.DescribeAsync(EgressServer, "-o", "json");

        Assert.Equal(DescribeCommand.ProblemsFound, run.ExitCode);
        var report = Json(run);
        Assert.Equal(["NicEnrolled"], Codes(report));
        Assert.Equal("namespace label istio-injection=enabled", report["nicInstances"]![0]!["enrollmentSource"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_VirtualServer_exits_3_and_an_unreachable_API_server_4()
    {
        string kubeconfig;
        await using (var lab = await StartAsync(converged: false))
        {
            var missing = await lab.DescribeAsync("nope.example.com");
            Assert.Equal(ExitCodes.InputError, missing.ExitCode);
            Assert.Equal("error: VirtualServer demo-meshed/nope.example.com not found\n", missing.Stderr);
            kubeconfig = Path.Combine(Path.GetTempPath(), $"meshbridge-describe-{Guid.NewGuid():N}");
            File.WriteAllText(kubeconfig, File.ReadAllText(lab.Kubeconfig));
        }

        try
        {
            var run = await Task.Run(() => CliRun.Invoke("describe", "virtualserver", EgressServer, "-n", Namespace, "--kubeconfig", kubeconfig)).WaitAsync(TimeSpan.FromMinutes(1));

            Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
            Assert.Contains("is unreachable", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public void An_unknown_output_format_is_a_usage_error()
    {
        var run = CliRun.Invoke("describe", "virtualserver", EgressServer, "-o", "yaml");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
    }
}
