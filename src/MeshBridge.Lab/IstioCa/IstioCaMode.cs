namespace MeshBridge.Lab.IstioCa;

/// <summary>
/// Which real CA the lab CA imitates. Both serve the same proto; they differ in how strictly they read the CSR and
/// how long a certificate they issue (reference/istio.md §2, §9), and MeshBridge must work against both.
/// </summary>
public enum IstioCaMode
{
    /// <summary>istiod: the CSR's SANs are ignored and replaced with the caller's identity; TTL up to 90 days.</summary>
    Istiod,

    /// <summary>cert-manager istio-csr: the CSR must ask for exactly the caller's identity and nothing else; 1h max.</summary>
    IstioCsr,
}
