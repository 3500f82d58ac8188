using MeshBridge.Grpc;

namespace MeshBridge.Lab.IstioCa;

/// <summary>A CreateCertificate failure with the gRPC status the real CA answers it with.</summary>
internal sealed class IstioCaStatusException(StatusCode code, string message) : Exception(message)
{
    public StatusCode Code { get; } = code;
}
