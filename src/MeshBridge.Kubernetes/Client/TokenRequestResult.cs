namespace MeshBridge.Kubernetes.Client;

/// <summary>A service-account token from the TokenRequest API. Its <see cref="ToString"/> never shows the token.</summary>
public sealed record TokenRequestResult(string Token, DateTimeOffset ExpirationTimestamp)
{
    public override string ToString() => $"TokenRequestResult {{ Token = <redacted>, ExpirationTimestamp = {ExpirationTimestamp:O} }}";
}
