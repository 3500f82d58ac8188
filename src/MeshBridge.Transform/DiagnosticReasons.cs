namespace MeshBridge.Transform;

/// <summary>Stable reason codes; the controller uses them as Event reasons, so they never change meaning.</summary>
public static class DiagnosticReasons
{
    public const string InvalidMode = "InvalidMode";
    public const string InvalidHostFormat = "InvalidHostFormat";
    public const string InvalidAppliedRecord = "InvalidAppliedRecord";
    public const string InvalidUpstream = "InvalidUpstream";
    public const string SubselectorWithClusterIP = "SubselectorWithClusterIP";
    public const string InvalidAction = "InvalidAction";
    public const string UnknownUpstream = "UnknownUpstream";
    public const string InvalidHeader = "InvalidHeader";
    public const string HostHeaderConflict = "HostHeaderConflict";
    public const string ClientCertHeaderSet = "ClientCertHeaderSet";
    public const string EgressMTLSPolicyConflict = "EgressMTLSPolicyConflict";
    public const string UnresolvedRoute = "UnresolvedRoute";
    public const string RouteHostMismatch = "RouteHostMismatch";
    public const string RouteModeConflict = "RouteModeConflict";
    public const string EnrollmentConflict = "EnrollmentConflict";
    public const string EnrolledOutsideMeshBridge = "EnrolledOutsideMeshBridge";
    public const string AmbiguousInstance = "AmbiguousInstance";
    public const string RelatedObjectInvalid = "RelatedObjectInvalid";
    public const string ProxyConfigKept = "ProxyConfigKept";
    public const string SecretsRequired = "SecretsRequired";
    public const string NotEnrolled = "NotEnrolled";
}
