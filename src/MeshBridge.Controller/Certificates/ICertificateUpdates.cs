namespace MeshBridge.Controller.Certificates;

/// <summary>
/// A source whose certificates change without being asked (SDS pushes a rotation or a new root): the controller
/// reconciles the identity's users when <see cref="Updated"/> fires, so the new certificate reaches their Secrets.
/// Handlers must be quick and must not throw.
/// </summary>
public interface ICertificateUpdates
{
    event Action<MeshIdentity>? Updated;
}
