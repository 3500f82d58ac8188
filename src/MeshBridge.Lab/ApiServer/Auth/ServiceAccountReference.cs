namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>The service account a token is issued for, as the API server read it from its store when the request came in.</summary>
public sealed record ServiceAccountReference(string Namespace, string Name, string Uid)
{
    /// <summary><c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c> (apiserver/pkg/authentication/serviceaccount/util.go MakeUsername).</summary>
    public string Username => $"system:serviceaccount:{Namespace}:{Name}";
}
