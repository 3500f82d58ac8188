namespace MeshBridge.Manifests;

/// <summary>A manifest that is not well-formed YAML or JSON; the message names the source and line.</summary>
public sealed class ManifestFormatException : Exception
{
    public ManifestFormatException()
    {
    }

    public ManifestFormatException(string message)
        : base(message)
    {
    }

    public ManifestFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
