using System.Text.Json.Nodes;
using MeshBridge.Lab.Tests.Support;

namespace MeshBridge.Lab.Tests.ApiServer;

public sealed class EventApiTests
{
    [Fact]
    public async Task An_event_written_through_events_k8s_io_reads_back_through_core_v1_with_kubectl()
    {
        await using var lab = await LabFixture.StartAsync();
        var e = new JsonObject
        {
            ["apiVersion"] = "events.k8s.io/v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = "cafe.1", ["namespace"] = "default" },
            ["eventTime"] = "2026-11-22T03:00:00.000000Z",
            ["reportingController"] = "meshbridge.io/controller",
            ["reportingInstance"] = "meshbridge-0",
            ["action"] = "Reconcile",
            ["reason"] = "Meshed",
            ["type"] = "Normal",
            ["note"] = "sidecar mode applied",
            ["regarding"] = new JsonObject { ["kind"] = "VirtualServer", ["namespace"] = "default", ["name"] = "cafe", ["apiVersion"] = "k8s.nginx.org/v1" },
        };

        (await lab.Kubectl.RunWithInputAsync(e.ToJsonString(), "create", "-f", "-")).Succeeded();
        var core = await lab.Kubectl.RunAsync("get", "events", "-o", "jsonpath={.items[0].involvedObject.name} {.items[0].message} {.items[0].reportingComponent}");
        var filtered = await lab.Kubectl.RunAsync("get", "events", "--field-selector", "involvedObject.kind=VirtualServer,reason=Meshed", "-o", "name");
        var viaV1 = await lab.Kubectl.RunAsync("get", "events.v1.events.k8s.io", "cafe.1", "-o", "jsonpath={.regarding.name} {.note}");

        Assert.Equal("cafe sidecar mode applied meshbridge.io/controller", core.Succeeded().Stdout);
        Assert.Equal("event/cafe.1", filtered.Succeeded().Stdout.Trim());
        Assert.Equal("cafe sidecar mode applied", viaV1.Succeeded().Stdout);
    }
}
