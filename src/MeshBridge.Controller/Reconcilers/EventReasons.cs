namespace MeshBridge.Controller.Reconcilers;

/// <summary>Event reasons of the controller's own decisions (the transform's diagnostics bring their own).</summary>
public static class EventReasons
{
    public const string Meshed = "Meshed";
    public const string Reverted = "Reverted";
    public const string CertificatePending = "CertificatePending";

    /// <summary>Renewing the certificate a meshed VirtualServer presents failed; the current one is still served.</summary>
    public const string CertificateRenewalFailed = "CertificateRenewalFailed";

    /// <summary>On a NIC workload: its pod template now carries MeshBridge's enrollment (or no longer does).</summary>
    public const string Enrolled = "Enrolled";
    public const string Unenrolled = "Unenrolled";

    /// <summary>No NIC instance (an IngressClass of controller nginx.org/ingress-controller plus a NIC workload serving it) serves the VirtualServer's class.</summary>
    public const string NicInstanceNotFound = "NicInstanceNotFound";

    /// <summary>The Istio ConfigMap's MeshConfig could not be read; the default trust domain is used.</summary>
    public const string MeshConfigInvalid = "MeshConfigInvalid";
}
