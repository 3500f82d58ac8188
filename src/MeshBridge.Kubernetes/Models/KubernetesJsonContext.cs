using System.Text.Json.Serialization;

namespace MeshBridge.Kubernetes.Models;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(V1StatusDetails))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(GenericObject))]
public sealed partial class KubernetesJsonContext : JsonSerializerContext;
