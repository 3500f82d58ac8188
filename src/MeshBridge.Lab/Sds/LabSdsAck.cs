namespace MeshBridge.Lab.Sds;

/// <summary>A DiscoveryRequest after the first one on a stream: an ACK, or a NACK when it carries error_detail.</summary>
/// <param name="Version">The version_info the client reported as accepted.</param>
/// <param name="Nonce">The response_nonce it answers.</param>
/// <param name="Error">error_detail.message of a NACK; null for an ACK.</param>
public sealed record LabSdsAck(string Version, string Nonce, string? Error)
{
    /// <summary>Whether this is a NACK.</summary>
    public bool IsNack => Error is not null;
}
