namespace MeshBridge.Cli.Diagnostics;

/// <summary>
/// The stable codes of describe's and doctor's own checks, each with its remedy. Problems the transform finds keep
/// the transform's reason codes (<c>EnrollmentConflict</c>, <c>EnrolledOutsideMeshBridge</c>, …; DiagnosticReasons).
/// </summary>
internal static class ProblemCodes
{
    public const string NotMeshed = "NotMeshed";
    public const string CertificatePending = "CertificatePending";
    public const string NicInstanceNotFound = "NicInstanceNotFound";
    public const string NicNotEnrolled = "NicNotEnrolled";
    public const string NicEnrolled = "NicEnrolled";
    public const string NicPodsNotInMesh = "NicPodsNotInMesh";
    public const string ServiceNotFound = "ServiceNotFound";
    public const string ServicePortNotFound = "ServicePortNotFound";
    public const string PortProtocolUndeclared = "PortProtocolUndeclared";
    public const string PeerAuthenticationNotStrict = "PeerAuthenticationNotStrict";
    public const string PeerAuthenticationDisabled = "PeerAuthenticationDisabled";
    public const string PeerAuthenticationNotServed = "PeerAuthenticationNotServed";
    public const string UpstreamNotMeshed = "UpstreamNotMeshed";
    public const string HostHeaderMissing = "HostHeaderMissing";
    public const string PolicyNotReferenced = "PolicyNotReferenced";
    public const string CertificateMissing = "CertificateMissing";
    public const string CertificateUnreadable = "CertificateUnreadable";
    public const string SecretForbidden = "SecretForbidden";
    public const string CertificateExpired = "CertificateExpired";
    public const string CertificateIdentityMismatch = "CertificateIdentityMismatch";
    public const string CertificateRenewalOverdue = "CertificateRenewalOverdue";
    public const string MeshConfigInvalid = "MeshConfigInvalid";

    public const string ControllerRemedy = "is 'meshbridge run' running and handling this class and namespace? check 'kubectl get events -n {0}' and its logs";

    /// <summary>What to do about a problem with this code.</summary>
    public static string Remedy(string code, string ns) => code switch
    {
        NotMeshed or UpstreamNotMeshed or HostHeaderMissing or PolicyNotReferenced => string.Format(System.Globalization.CultureInfo.InvariantCulture, ControllerRemedy, ns),
        CertificatePending or CertificateMissing =>
            $"MeshBridge has no certificate from the Istio CA yet: check 'meshbridge run' logs and 'kubectl get events -n {ns}' (CertificatePending), and that it may create serviceaccounts/token for NIC's service account",
        NicInstanceNotFound => "create an IngressClass of controller nginx.org/ingress-controller and run NIC with -ingress-class for it, or set spec.ingressClassName to a class NIC serves (or pass --ingress-workload)",
        NicNotEnrolled => $"is 'meshbridge run' running? it labels NIC's pod template (check 'kubectl get events -n {ns}'); the NIC pods restart to pick up the enrollment",
        NicPodsNotInMesh => "the pods started before the enrollment, or injection failed: restart them ('kubectl rollout restart') and check the sidecar injector (sidecar) or istio-cni and ztunnel (ambient)",
        NicEnrolled => "egress-mtls needs NIC outside the mesh dataplane: remove the injection/ambient label from NIC's pod template or namespace, or use mode sidecar/ambient",
        ServiceNotFound => "create the Service, or fix the upstream's service",
        ServicePortNotFound => "set the upstream's port to a port of the Service (the Service port, not the targetPort)",
        PortProtocolUndeclared => "name the Service port http-<x> (or http, http2, grpc) or set appProtocol: http, else the sidecar does TCP proxying and adds no XFCC",
        PeerAuthenticationNotStrict => "apply a STRICT PeerAuthentication for the backend's namespace (see istio/peer-authentication-strict.yaml); plain NGINX mTLS is not terminated under PERMISSIVE",
        PeerAuthenticationDisabled => "remove the DISABLE PeerAuthentication (or its portLevelMtls entry) so the backend's sidecar terminates mesh mTLS",
        PeerAuthenticationNotServed => "install Istio (security.istio.io PeerAuthentication is not served), or check the kubeconfig points at the mesh's cluster",
        SecretForbidden => $"run describe as someone who may get Secrets in namespace {ns} to check the certificate",
        CertificateUnreadable or CertificateIdentityMismatch => $"delete the Secret so MeshBridge writes a fresh one, and check 'meshbridge run' logs and 'kubectl get events -n {ns}'",
        CertificateExpired or CertificateRenewalOverdue => $"check 'meshbridge run' logs and the CertificateRenewalFailed events ('kubectl get events -n {ns} --field-selector reason=CertificateRenewalFailed')",
        MeshConfigInvalid => "fix data.mesh of Istio's ConfigMap (istio or istio-<rev>) so istiod and MeshBridge agree on the trust domain",
        "EnrollmentConflict" => "one NIC instance is enrolled one way only: serve sidecar and ambient VirtualServers from separate NIC instances (ingress classes), or make them ask for the same mode",
        "EnrolledOutsideMeshBridge" => "remove the injection/ambient label from NIC's pod template, or use mode sidecar/ambient for this VirtualServer",
        "AmbiguousInstance" => "set spec.ingressClassName so exactly one NIC instance (one identity) serves the VirtualServer",
        _ => $"fix the field named in the message; 'kubectl get events -n {ns}' has the controller's view",
    };
}
