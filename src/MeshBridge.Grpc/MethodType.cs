namespace MeshBridge.Grpc;

/// <summary>The four gRPC call shapes; the channel uses it to check a method is called the way it is declared.</summary>
public enum MethodType
{
    /// <summary>One request, one response (CreateCertificate).</summary>
    Unary,

    /// <summary>A request stream, one response.</summary>
    ClientStreaming,

    /// <summary>One request, a response stream.</summary>
    ServerStreaming,

    /// <summary>Both directions stream (SDS StreamSecrets).</summary>
    DuplexStreaming,
}
