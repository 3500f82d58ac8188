namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// Supplies the bearer token <see cref="BearerTokenHandler"/> puts on each request (kubernetes-client's
/// <c>ITokenProvider</c>, client-go's oauth2.TokenSource behind its bearer and exec round trippers).
/// </summary>
public interface ITokenProvider
{
    /// <summary>The token for the next request, or null to send no Authorization header (an exec plugin may return only a client certificate).</summary>
    ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Told that the API server answered 401 to a request sent with <paramref name="rejectedToken"/>. Returns true when
    /// different credentials are now available, so the request is worth sending once more.
    /// </summary>
    ValueTask<bool> RefreshAfterUnauthorizedAsync(string? rejectedToken, CancellationToken cancellationToken);
}
