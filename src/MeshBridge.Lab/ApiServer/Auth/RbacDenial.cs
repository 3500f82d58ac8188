namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// One request the lab answered 403 under <see cref="LabApiServerOptions.EnforceRbac"/>: who, and the attributes
/// RBAC decided on. <see cref="Path"/> is set for every request; resource fields are empty for non-resource paths.
/// </summary>
public sealed record RbacDenial(string User, string Verb, string Group, string Resource, string Subresource, string Namespace, string Name, string Path)
{
    public override string ToString() => Resource.Length == 0
        ? $"{User} {Verb} {Path}"
        : $"{User} {Verb} {(Group.Length == 0 ? "core" : Group)}/{Resource}{(Subresource.Length == 0 ? "" : "/" + Subresource)} ns={Namespace} name={Name}";
}
