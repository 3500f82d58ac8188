using MeshBridge.Protos.Envoy.Discovery;
using MeshBridge.Protos.Istio;

namespace MeshBridge.Grpc.Tests.GrpcJs;

/// <summary>The two methods MeshBridge calls, described as the product will describe them.</summary>
internal static class Methods
{
    public static Method<IstioCertificateRequest, IstioCertificateResponse> CreateCertificate { get; } = new(
        MethodType.Unary,
        "istio.v1.auth.IstioCertificateService",
        "CreateCertificate",
        Marshallers.Create(IstioCertificateRequest.Parser),
        Marshallers.Create(IstioCertificateResponse.Parser));

    public static Method<DiscoveryRequest, DiscoveryResponse> StreamSecrets { get; } = new(
        MethodType.DuplexStreaming,
        "envoy.service.secret.v3.SecretDiscoveryService",
        "StreamSecrets",
        Marshallers.Create(DiscoveryRequest.Parser),
        Marshallers.Create(DiscoveryResponse.Parser));

    public static Method<DiscoveryRequest, DiscoveryResponse> FetchSecrets { get; } = new(
        MethodType.Unary,
        "envoy.service.secret.v3.SecretDiscoveryService",
        "FetchSecrets",
        Marshallers.Create(DiscoveryRequest.Parser),
        Marshallers.Create(DiscoveryResponse.Parser));

    public static Metadata Headers(params (string Key, string Value)[] entries)
    {
        var metadata = new Metadata();
        foreach (var (key, value) in entries)
        {
            metadata.Add(key, value);
        }

        return metadata;
    }
}
