namespace MeshBridge.Lab.Sds;

/// <summary>Which SDS server a <see cref="LabSdsServer"/> imitates (reference/istio.md §5).</summary>
public enum LabSdsFlavour
{
    /// <summary>
    /// istio-agent: resources <c>default</c> and <c>ROOTCA</c>; the first request must carry a non-empty node.id;
    /// StreamSecrets only; chain = leaf + root, key <c>EC PRIVATE KEY</c>; bundle as <c>trusted_ca</c>.
    /// </summary>
    IstioAgent,

    /// <summary>
    /// SPIRE agent: the SVID as <c>default</c> or by its SPIFFE ID, the bundle as <c>ROOTCA</c> or <c>spiffe://&lt;td&gt;</c>;
    /// StreamSecrets and FetchSecrets; chain = leaf, key PKCS#8; the bundle as a SPIFFE validator
    /// (<c>custom_validator_config</c>) for clients reporting an Envoy build version of 1.18 or later, else <c>trusted_ca</c>.
    /// </summary>
    Spire,
}
