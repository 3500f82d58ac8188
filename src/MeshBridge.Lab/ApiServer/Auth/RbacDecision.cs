namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// What the RBAC authorizer answered: allowed, and the reason kube-apiserver reports (<c>RBAC: allowed by …</c> on
/// allow; on deny, empty unless bindings named missing roles: <c>RBAC: role.rbac.authorization.k8s.io "x" not found</c>).
/// </summary>
public sealed record RbacDecision(bool Allowed, string Reason);
