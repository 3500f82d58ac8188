namespace MeshBridge.Kubernetes.Caching;

/// <summary>Receives cache changes in order, on the informer's loop; keep it quick (enqueue a key, return).</summary>
public interface IInformerHandler<in T>
{
    void OnAdd(T obj);

    void OnUpdate(T oldObj, T newObj);

    void OnDelete(T obj);
}
