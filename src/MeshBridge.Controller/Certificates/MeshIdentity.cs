using MeshBridge.Transform;

namespace MeshBridge.Controller.Certificates;

/// <summary>
/// The mesh identity a certificate is issued for: NIC's service account in the mesh's trust domain (from the
/// <c>istio</c> ConfigMap's MeshConfig), i.e. <c>spiffe://&lt;trust-domain&gt;/ns/&lt;ns&gt;/sa/&lt;sa&gt;</c>.
/// </summary>
public sealed record MeshIdentity(NicIdentity ServiceAccount, string TrustDomain)
{
    public string SpiffeId => ServiceAccount.SpiffeId(TrustDomain);

    public override string ToString() => SpiffeId;
}
