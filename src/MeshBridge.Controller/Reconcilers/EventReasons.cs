namespace MeshBridge.Controller.Reconcilers;

/// <summary>Event reasons of the controller's own decisions (the transform's diagnostics bring their own).</summary>
public static class EventReasons
{
    public const string Meshed = "Meshed";
    public const string Reverted = "Reverted";
    public const string CertificatePending = "CertificatePending";
}
