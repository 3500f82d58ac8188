namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// A token read from a file and re-read periodically, so a rotated projected service-account token (the kubelet
/// rewrites it well before it expires) is picked up. Mirrors client-go's <c>NewCachedFileTokenSource</c>
/// (transport/token_source.go): a read is good for one minute less a 10 s leeway, a failed re-read keeps serving the
/// last token, and a 401 drops the cached token (<c>ResetTokenOlderThan</c>) so the next read sees the new file.
/// </summary>
public sealed class TokenFileProvider : ITokenProvider
{
    /// <summary>client-go's period for file token sources.</summary>
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromMinutes(1);

    /// <summary>client-go's cachingTokenSource leeway: a cached token is refreshed this long before its period ends.</summary>
    public static readonly TimeSpan RefreshLeeway = TimeSpan.FromSeconds(10);

    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private string? token;
    private DateTimeOffset readAt;
    private bool fresh;

    /// <param name="path">The token file.</param>
    /// <param name="time">The clock that ages the cached token.</param>
    /// <param name="fallbackToken">
    /// Served until the file has been read once successfully (client-go's BearerToken beside BearerTokenFile).
    /// </param>
    public TokenFileProvider(string path, TimeProvider? time = null, string? fallbackToken = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        this.time = time ?? TimeProvider.System;
        token = string.IsNullOrWhiteSpace(fallbackToken) ? null : fallbackToken;
    }

    public string Path { get; }

    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (token is null || !fresh || now >= readAt + RefreshPeriod - RefreshLeeway)
            {
                Reread(now);
            }

            return ValueTask.FromResult(token);
        }
    }

    public ValueTask<bool> RefreshAfterUnauthorizedAsync(string? rejectedToken, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            // Another request may have re-read the file since this one was sent.
            if (token == rejectedToken)
            {
                Reread(time.GetUtcNow());
            }

            return ValueTask.FromResult(token != rejectedToken);
        }
    }

    private void Reread(DateTimeOffset now)
    {
        try
        {
            token = ConfigFileReader.ReadToken(Path, (reason, e) => KubeConfigException.Create($"token file {Path}: {reason}", e));
            readAt = now;
            fresh = true;
        }
        catch (KubeConfigException) when (token is not null)
        {
            // client-go's cachingTokenSource logs "Unable to rotate token" and keeps the token it has; the next request
            // tries the file again.
        }
    }
}
