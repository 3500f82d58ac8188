using System.Threading.RateLimiting;

namespace MeshBridge.Kubernetes.Client;

public sealed record KubernetesClientOptions
{
    /// <summary>Client-side rate limit (client-go's defaults are 5 qps / burst 10; a controller wants more).</summary>
    public double Qps { get; init; } = 50;

    public int Burst { get; init; } = 100;

    /// <summary>Replaces the QPS/burst token bucket (tests use one without auto-replenishment).</summary>
    public RateLimiter? RateLimiter { get; init; }

    /// <summary>Retries after the first attempt, for 429 and retriable 5xx/connection failures.</summary>
    public int MaxRetries { get; init; } = 5;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string UserAgent { get; init; } = "meshbridge";

    /// <summary>For a request that is not a watch.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
