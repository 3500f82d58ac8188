using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace MeshBridge.Kubernetes.Client;

/// <summary>Typed forms of the generic verbs, with source-generated (de)serialization.</summary>
public static class KubernetesTypedExtensions
{
    public static async Task<T> GetAsync<T>(this Kubernetes client, ResourceType type, string? ns, string name, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Decode(await client.GetAsync(type, ns, name, null, cancellationToken).ConfigureAwait(false), typeInfo);
    }

    public static async Task<T> CreateAsync<T>(this Kubernetes client, ResourceType type, string? ns, T body, JsonTypeInfo<T> typeInfo, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Decode(await client.CreateAsync(type, ns, Encode(body, typeInfo), options, cancellationToken).ConfigureAwait(false), typeInfo);
    }

    public static async Task<T> ReplaceAsync<T>(this Kubernetes client, ResourceType type, string? ns, string name, T body, JsonTypeInfo<T> typeInfo, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Decode(await client.ReplaceAsync(type, ns, name, Encode(body, typeInfo), options, null, cancellationToken).ConfigureAwait(false), typeInfo);
    }

    public static T Decode<T>(JsonObject obj, JsonTypeInfo<T> typeInfo) =>
        obj.Deserialize(typeInfo) ?? throw new KubernetesException($"could not decode a {typeof(T).Name}");

    public static JsonObject Encode<T>(T value, JsonTypeInfo<T> typeInfo) => (JsonObject)JsonSerializer.SerializeToNode(value, typeInfo)!;
}
