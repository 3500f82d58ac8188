using MeshBridge.Lab.Tests.Support;

namespace MeshBridge.Lab.Tests.ApiServer;

public sealed class KubectlSmokeTests
{
    [Fact]
    public async Task Kubectl_creates_gets_and_deletes_a_VirtualServer()
    {
        await using var lab = await LabFixture.StartAsync();
        var manifest = """
            apiVersion: k8s.nginx.org/v1
            kind: VirtualServer
            metadata:
              name: cafe
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

        var created = await lab.Kubectl.RunWithInputAsync(manifest, "create", "-f", "-");
        var got = await lab.Kubectl.RunAsync("get", "vs", "cafe", "-o", "jsonpath={.spec.upstreams[0].service}");
        var deleted = await lab.Kubectl.RunAsync("delete", "virtualserver", "cafe");
        var gone = await lab.Kubectl.RunAsync("get", "vs", "cafe");

        created.Succeeded();
        Assert.Equal("tea-svc", got.Succeeded().Stdout);
        Assert.Contains("virtualserver.k8s.nginx.org \"cafe\" deleted", deleted.Succeeded().Stdout, StringComparison.Ordinal);
        Assert.Contains("Error from server (NotFound): virtualservers.k8s.nginx.org \"cafe\" not found", gone.Stderr, StringComparison.Ordinal);
    }
}
