namespace MeshBridge.Lab.Crds;

/// <summary>
/// One schema violation, worded as the API server words it (<c>spec.upstreams[0].port: Invalid value: "string":
/// spec.upstreams[0].port in body must be of type integer: "string"</c>), or a field the schema does not know.
/// </summary>
public sealed record SchemaError(string Path, string Kind, string Message)
{
    public const string Unknown = "unknown field";
    public const string Invalid = "Invalid value";
    public const string Required = "Required value";
    public const string Unsupported = "Unsupported value";

    public override string ToString() => $"{Path}: {Kind}: {Message}";
}
