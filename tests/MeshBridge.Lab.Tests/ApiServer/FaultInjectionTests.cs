using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.Tests.Auth;
using MeshBridge.Lab.Tests.Support;

namespace MeshBridge.Lab.Tests.ApiServer;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task An_outage_window_fails_requests_only_inside_it_on_the_labs_clock()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.Parse("2026-11-22T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var faults = new FaultInjector(clock);
        await using var lab = await LabFixture.StartAsync(new LabApiServerOptions { Time = clock, Faults = faults });
        faults.Add(new FaultRule { Resource = "configmaps", StatusCode = 503, Reason = "ServiceUnavailable", Message = "outage", From = clock.GetUtcNow(), Until = clock.GetUtcNow().AddMinutes(5) });

        var during = await lab.Kubectl.RunAsync("get", "configmaps", "--request-timeout", "5s");
        clock.Advance(TimeSpan.FromMinutes(6));
        var after = await lab.Kubectl.RunAsync("get", "configmaps");

        Assert.NotEqual(0, during.ExitCode);
        Assert.Contains("outage", during.Stderr, StringComparison.Ordinal);
        after.Succeeded();
    }

    [Fact]
    public async Task Counters_count_requests_by_verb_and_resource()
    {
        await using var lab = await LabFixture.StartAsync();
        var cm = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "a" } };

        await lab.Kubectl.RunWithInputAsync(cm.ToJsonString(), "create", "-f", "-");
        await lab.Kubectl.RunAsync("get", "configmap", "a");
        await lab.Kubectl.RunAsync("delete", "configmap", "a");

        Assert.Equal(1, lab.Server.Counters.Count("create", "configmaps"));
        Assert.Equal(1, lab.Server.Counters.Count("delete", "configmaps"));
        Assert.Equal(2, lab.Server.Counters.Writes("configmaps"));
        Assert.True(lab.Server.Counters.Count("get", "configmaps") >= 1);
    }
}
