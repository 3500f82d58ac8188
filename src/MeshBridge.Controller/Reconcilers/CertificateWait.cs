using MeshBridge.Controller.Certificates;

namespace MeshBridge.Controller.Reconcilers;

/// <summary>An egress-mtls VirtualServer waiting for its identity's first certificate: for whom, and what the source said (null: nothing issued yet).</summary>
public sealed record CertificateWait(MeshIdentity Identity, string? Problem);
