using System.Text.Json.Serialization;
using MeshBridge.Transform;

namespace MeshBridge.Transform.Model;

/// <summary>
/// Source-generated serialization for the models. Absent stays absent (nulls are not written), so reading and
/// re-writing a document changes nothing; fields the models do not type ride along in each <c>Extra</c>.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VirtualServer))]
[JsonSerializable(typeof(VirtualServerRoute))]
[JsonSerializable(typeof(Policy))]
[JsonSerializable(typeof(Workload))]
[JsonSerializable(typeof(AppliedRecord))]
public sealed partial class ModelJsonContext : JsonSerializerContext;
