using System.Text.Json;
using MeshBridge.Controller.Tests.Integration;
using MeshBridge.Controller.Writes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Transform.Model;

namespace MeshBridge.Controller.Tests.Writes;

public sealed class ObjectWriterTests
{
    [Fact]
    public async Task The_version_its_own_patch_produced_is_recognised_once_and_no_other()
    {
        await using var lab = await ControllerLab.StartAsync();
        var writer = new ObjectWriter(lab.NewMeshBridgeClient(), "meshbridge");
        VirtualServer Read(System.Text.Json.Nodes.JsonObject o) => o.Deserialize(ModelJsonContext.Default.VirtualServer)!;
        var before = Read(await lab.Client.GetAsync(ResourceTypes.VirtualServers, "demo-meshed", "nic-meshed.example.com"));
        var changed = before with { Metadata = before.Metadata with { Annotations = new Dictionary<string, string> { ["meshbridge.io/mode"] = "none" } } };

        var wrote = await writer.PatchGuardedAsync(ResourceTypes.VirtualServers, before, changed, ModelJsonContext.Default.VirtualServer, CancellationToken.None);
        var after = Read(await lab.Client.GetAsync(ResourceTypes.VirtualServers, "demo-meshed", "nic-meshed.example.com"));

        Assert.True(wrote);
        Assert.False(writer.IsOwnWrite(ResourceTypes.VirtualServers, before, () => { }));
        Assert.False(writer.IsOwnWrite(ResourceTypes.VirtualServerRoutes, after, () => { }));
        Assert.True(writer.IsOwnWrite(ResourceTypes.VirtualServers, after, () => { }));
        Assert.False(writer.IsOwnWrite(ResourceTypes.VirtualServers, after, () => { }));
        Assert.False(await writer.PatchGuardedAsync(ResourceTypes.VirtualServers, after, after, ModelJsonContext.Default.VirtualServer, CancellationToken.None));
    }
}
