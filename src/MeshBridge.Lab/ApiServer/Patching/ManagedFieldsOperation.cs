namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>A managedFields entry's <c>operation</c>; the names are the wire values.</summary>
public enum ManagedFieldsOperation
{
    /// <summary>Server-side apply (<c>application/apply-patch+yaml</c>).</summary>
    Apply,

    /// <summary>Any other write: create, update (PUT), JSON/merge patch, and their /status forms.</summary>
    Update,
}
