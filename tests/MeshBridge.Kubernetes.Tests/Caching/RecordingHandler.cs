using MeshBridge.Kubernetes.Caching;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Kubernetes.Tests.Caching;

/// <summary>Records informer notifications as "add a", "update a", "delete a".</summary>
internal sealed class RecordingHandler : IInformerHandler<GenericObject>
{
    private readonly List<string> events = [];

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (events)
            {
                return [.. events];
            }
        }
    }

    public void OnAdd(GenericObject obj) => Record($"add {obj.Metadata.Name}");

    public void OnUpdate(GenericObject oldObj, GenericObject newObj) => Record($"update {newObj.Metadata.Name}");

    public void OnDelete(GenericObject obj) => Record($"delete {obj.Metadata.Name}");

    private void Record(string e)
    {
        lock (events)
        {
            events.Add(e);
        }
    }
}
