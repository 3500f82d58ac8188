namespace MeshBridge.Transform;

/// <summary>The values of <c>meshbridge.io/mode</c>.</summary>
public enum MeshMode
{
    /// <summary>MeshBridge changes nothing and reverts what it did.</summary>
    None,

    /// <summary>NIC pods get an Istio sidecar; upstreams go to the cluster IP with the Host Istio routes on.</summary>
    Sidecar,

    /// <summary>NIC pods are enrolled in ambient (ztunnel); upstreams as in sidecar mode.</summary>
    Ambient,

    /// <summary>No sidecar; NGINX speaks mTLS to the pods with a certificate for NIC's own identity.</summary>
    EgressMtls,
}
