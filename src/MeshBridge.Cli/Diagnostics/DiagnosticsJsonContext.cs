using System.Text.Json.Serialization;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>The <c>-o json</c> schema of describe and doctor: camelCase names, nulls written, indented.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(VirtualServerReport))]
[JsonSerializable(typeof(DoctorReport))]
internal sealed partial class DiagnosticsJsonContext : JsonSerializerContext;
