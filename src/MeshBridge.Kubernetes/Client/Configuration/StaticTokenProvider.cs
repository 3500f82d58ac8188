namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>A fixed token (kubeconfig <c>token</c>); a 401 cannot be helped by asking again.</summary>
public sealed class StaticTokenProvider : ITokenProvider
{
    private readonly string token;

    public StaticTokenProvider(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        this.token = token;
    }

    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);

    public ValueTask<bool> RefreshAfterUnauthorizedAsync(string? rejectedToken, CancellationToken cancellationToken) =>
        ValueTask.FromResult(false);
}
