using System.Text.Json.Nodes;
using MeshBridge.Lab.Tests.Support;

namespace MeshBridge.Lab.Tests.ApiServer;

/// <summary>The real kubectl 1.33 against the lab: kubectl failing on the lab fails the test.</summary>
public sealed class KubectlFidelityTests
{
    private const string Cafe = """
        apiVersion: k8s.nginx.org/v1
        kind: VirtualServer
        metadata:
          name: cafe
          labels:
            team: tea
        spec:
          host: cafe.example.com
          upstreams:
          - name: tea
            service: tea-svc
            port: 80
          routes:
          - path: /tea
            action:
              pass: tea
        """;

    [Fact]
    public async Task Create_get_and_delete_print_what_a_real_cluster_prints()
    {
        await using var lab = await LabFixture.StartAsync();

        var created = await lab.Kubectl.RunWithInputAsync(Cafe, "create", "-f", "-");
        var got = await lab.Kubectl.RunAsync("get", "vs", "cafe", "-o", "jsonpath={.spec.upstreams[0].service} {.metadata.generation}");
        var listed = await lab.Kubectl.RunAsync("get", "virtualservers", "-l", "team=tea", "-o", "name");
        var deleted = await lab.Kubectl.RunAsync("delete", "virtualserver", "cafe");
        var gone = await lab.Kubectl.RunAsync("get", "vs", "cafe");

        Assert.Equal("virtualserver.k8s.nginx.org/cafe created", created.Succeeded().Stdout.Trim());
        Assert.Equal("tea-svc 1", got.Succeeded().Stdout);
        Assert.Equal("virtualserver.k8s.nginx.org/cafe", listed.Succeeded().Stdout.Trim());
        Assert.Equal("virtualserver.k8s.nginx.org \"cafe\" deleted", deleted.Succeeded().Stdout.Trim());
        Assert.Equal(1, gone.ExitCode);
        Assert.Equal("Error from server (NotFound): virtualservers.k8s.nginx.org \"cafe\" not found", gone.Stderr.Trim());
    }

    [Fact]
    public async Task Removing_the_last_annotation_leaves_no_empty_map_as_ObjectMeta_omitempty_does()
    {
        await using var lab = await LabFixture.StartAsync();
        await lab.Kubectl.RunWithInputAsync(Cafe, "create", "-f", "-");

        await lab.Kubectl.RunAsync("annotate", "vs", "cafe", "team=tea");
        var annotated = await lab.Kubectl.RunAsync("get", "vs", "cafe", "-o", "jsonpath={.metadata.annotations}");
        (await lab.Kubectl.RunAsync("annotate", "vs", "cafe", "team-")).Succeeded();
        var json = await lab.Kubectl.RunAsync("get", "vs", "cafe", "-o", "json");

        Assert.Equal("""{"team":"tea"}""", annotated.Succeeded().Stdout);
        Assert.DoesNotContain("\"annotations\"", json.Succeeded().Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_with_a_field_the_CRD_does_not_declare_is_refused_strictly()
    {
        await using var lab = await LabFixture.StartAsync();

        var result = await lab.Kubectl.RunWithInputAsync(Cafe.Replace("    port: 80", "    port: 80\n    useClusterIp: true", StringComparison.Ordinal), "create", "-f", "-");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec.upstreams[0].useClusterIp\"", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrongly_typed_field_is_a_422_naming_the_field()
    {
        await using var lab = await LabFixture.StartAsync();

        var result = await lab.Kubectl.RunWithInputAsync(Cafe.Replace("port: 80", "port: \"eighty\"", StringComparison.Ordinal), "create", "-f", "-");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("The VirtualServer \"cafe\" is invalid: spec.upstreams[0].port: Invalid value: \"string\": spec.upstreams[0].port in body must be of type integer: \"string\"", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_and_merge_patches_change_the_object_and_bump_generation_only_for_spec()
    {
        await using var lab = await LabFixture.StartAsync();
        await lab.Kubectl.RunWithInputAsync(Cafe, "create", "-f", "-");

        var json = await lab.Kubectl.RunAsync("patch", "vs", "cafe", "--type=json", "-p", """[{"op":"add","path":"/spec/upstreams/0/use-cluster-ip","value":true}]""");
        var merge = await lab.Kubectl.RunAsync("patch", "vs", "cafe", "--type=merge", "-p", """{"metadata":{"annotations":{"meshbridge.io/mode":"sidecar"}}}""");
        var state = await lab.Kubectl.RunAsync("get", "vs", "cafe", "-o", "jsonpath={.spec.upstreams[0].use-cluster-ip} {.metadata.annotations.meshbridge\\.io/mode} {.metadata.generation}");
        var failedTest = await lab.Kubectl.RunAsync("patch", "vs", "cafe", "--type=json", "-p", """[{"op":"test","path":"/metadata/resourceVersion","value":"1"},{"op":"remove","path":"/spec/upstreams"}]""");
        var strategic = await lab.Kubectl.RunAsync("patch", "vs", "cafe", "-p", """{"spec":{"host":"x.example.com"}}""");

        Assert.Equal("virtualserver.k8s.nginx.org/cafe patched", json.Succeeded().Stdout.Trim());
        merge.Succeeded();
        Assert.Equal("true sidecar 2", state.Succeeded().Stdout);
        Assert.Equal(1, failedTest.ExitCode);
        Assert.Contains("the server rejected our request due to an error in our request", failedTest.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, strategic.ExitCode);
        Assert.Contains("application/apply-patch+yaml", strategic.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_side_apply_creates_then_conflicts_with_another_manager_unless_forced()
    {
        await using var lab = await LabFixture.StartAsync();

        var created = await lab.Kubectl.RunWithInputAsync(Cafe, "apply", "--server-side", "-f", "-");
        var conflict = await lab.Kubectl.RunWithInputAsync(Cafe.Replace("cafe.example.com", "tea.example.com", StringComparison.Ordinal), "apply", "--server-side", "--field-manager", "other", "-f", "-");
        var forced = await lab.Kubectl.RunWithInputAsync(Cafe.Replace("cafe.example.com", "tea.example.com", StringComparison.Ordinal), "apply", "--server-side", "--field-manager", "other", "--force-conflicts", "-f", "-");
        var host = await lab.Kubectl.RunAsync("get", "vs", "cafe", "-o", "jsonpath={.spec.host}");
        var managers = await lab.Kubectl.RunAsync("get", "vs", "cafe", "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}");

        Assert.Equal("virtualserver.k8s.nginx.org/cafe serverside-applied", created.Succeeded().Stdout.Trim());
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains("conflict with \"kubectl\": .spec.host", conflict.Stderr, StringComparison.Ordinal);
        forced.Succeeded();
        Assert.Equal("tea.example.com", host.Succeeded().Stdout);
        Assert.Contains("other", managers.Succeeded().Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_watch_prints_each_change_until_the_server_closes_the_stream()
    {
        await using var lab = await LabFixture.StartAsync();
        await lab.Kubectl.RunWithInputAsync(Cafe, "create", "-f", "-");
        using var watch = lab.Kubectl.Start("get", "vs", "-w", "--request-timeout", "0", "-o", "jsonpath={.metadata.name} {.spec.host}{\"\\n\"}");
        var lines = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (await watch.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });
        await WaitUntilAsync(() => Count(lines) >= 1, "kubectl listed the VirtualServer");

        await lab.Kubectl.RunAsync("patch", "vs", "cafe", "--type=merge", "-p", """{"spec":{"host":"latte.example.com"}}""");
        await WaitUntilAsync(() => Count(lines) >= 2, "kubectl printed the change");
        lab.Server.Store.CloseAllWatches();
        await watch.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await reading;

        Assert.Equal(["cafe cafe.example.com", "cafe latte.example.com"], lines);
        Assert.Equal(0, watch.ExitCode);
    }

    [Fact]
    public async Task Create_token_returns_a_token_the_lab_accepts_as_the_service_account()
    {
        await using var lab = await LabFixture.StartAsync();
        lab.Server.Seed(JsonNode.Parse("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"nic","namespace":"default"}}""")!.AsObject());

        var token = await lab.Kubectl.RunAsync("create", "token", "nic", "--audience", "istio-ca", "--duration", "10m");
        var tokenReview = new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenReview",
            ["spec"] = new JsonObject { ["token"] = token.Stdout.Trim(), ["audiences"] = new JsonArray("istio-ca") },
        };
        var review = await lab.Kubectl.RunWithInputAsync(tokenReview.ToJsonString(), "create", "-f", "-", "-o", "jsonpath={.status.authenticated} {.status.user.username}");

        Assert.Equal(3, token.Succeeded().Stdout.Trim().Split('.').Length);
        Assert.Equal("true system:serviceaccount:default:nic", review.Succeeded().Stdout);
    }

    [Fact]
    public async Task Deleting_an_object_with_a_finalizer_waits_until_the_finalizer_is_removed()
    {
        await using var lab = await LabFixture.StartAsync();
        await lab.Kubectl.RunWithInputAsync(Cafe.Replace("  name: cafe", "  name: cafe\n  finalizers: [example.com/hold]", StringComparison.Ordinal), "create", "-f", "-");

        var deleting = lab.Kubectl.RunAsync("delete", "vs", "cafe", "--timeout", "30s");
        await WaitUntilAsync(() => lab.Server.Store.Get(new("k8s.nginx.org/v1/virtualservers", "default", "cafe"))?["metadata"]?["deletionTimestamp"] is not null, "the deletion was marked");
        var release = await lab.Kubectl.RunAsync("patch", "vs", "cafe", "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");
        var deleted = await deleting;

        release.Succeeded();
        Assert.Equal("virtualserver.k8s.nginx.org \"cafe\" deleted", deleted.Succeeded().Stdout.Trim());
    }

    private static int Count(List<string> lines)
    {
        lock (lines)
        {
            return lines.Count;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            try
            {
                await Task.Delay(25, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out waiting until {what}");
            }
        }
    }
}
