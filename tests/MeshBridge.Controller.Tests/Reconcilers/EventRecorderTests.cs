using MeshBridge.Controller.Reconcilers;
using MeshBridge.Controller.Tests.Integration;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Transform;

namespace MeshBridge.Controller.Tests.Reconcilers;

public sealed class EventRecorderTests
{
    [Fact]
    public async Task Recording_queues_without_writing_and_a_stop_flushes_the_queue_once_per_distinct_event()
    {
        await using var lab = await ControllerLab.StartAsync();
        var recorder = new EventRecorder(lab.NewMeshBridgeClient(), "test", TimeProvider.System);
        var regarding = new ResourceKey("VirtualServer", "demo-meshed", "nic.example.com");
        async Task<List<System.Text.Json.Nodes.JsonObject>> Recorded() =>
            (await lab.Client.ListAsync(ResourceTypes.Events, "demo-meshed")).Items.Where(e => e["reportingInstance"]?.ToString() == "test").ToList();

        recorder.Record(regarding, "k8s.nginx.org/v1", "Normal", "Meshed", "one");
        recorder.Record(regarding, "k8s.nginx.org/v1", "Normal", "Meshed", "one");
        recorder.Record(regarding, "k8s.nginx.org/v1", "Warning", "Other", "two");
        var queued = recorder.Backlog;
        var written = (await Recorded()).Count;
        await recorder.RunAsync(new CancellationToken(canceled: true));

        var events = await Recorded();
        Assert.Equal(2, queued);
        Assert.Equal(0, written);
        Assert.Equal(0, recorder.Backlog);
        Assert.Equal(["Meshed", "Other"], events.Select(e => e["reason"]!.ToString()).Order());
    }
}
