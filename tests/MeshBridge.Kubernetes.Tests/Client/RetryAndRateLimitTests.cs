using System.Threading.RateLimiting;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Tests.Lab;
using MeshBridge.Lab.ApiServer;
using static MeshBridge.Kubernetes.Tests.Lab.Objects;

namespace MeshBridge.Kubernetes.Tests.Client;

public sealed class RetryAndRateLimitTests
{
    private static readonly KubernetesClientOptions FastRetries = new() { RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task A_503_with_Retry_After_is_retried_for_a_write_until_it_succeeds()
    {
        await using var lab = await LabConnection.StartAsync(clientOptions: FastRetries);
        lab.Server.Faults.Add(new FaultRule { Verb = "create", Resource = "configmaps", StatusCode = 503, Reason = "ServiceUnavailable", RetryAfterSeconds = 0, Times = 2 });

        await lab.Client.CreateAsync(ResourceTypes.ConfigMaps, "default", ConfigMap("a"));

        Assert.Equal(3, lab.Server.Counters.Count("create", "configmaps"));
    }

    [Fact]
    public async Task A_429_without_Retry_After_is_retried_with_backoff()
    {
        await using var lab = await LabConnection.StartAsync(clientOptions: FastRetries);
        lab.Server.Faults.Add(new FaultRule { Verb = "create", Resource = "configmaps", StatusCode = 429, Reason = "TooManyRequests", Times = 3 });

        await lab.Client.CreateAsync(ResourceTypes.ConfigMaps, "default", ConfigMap("a"));

        Assert.Equal(4, lab.Server.Counters.Count("create", "configmaps"));
    }

    [Fact]
    public async Task A_500_without_Retry_After_is_retried_for_a_read_but_not_for_a_write()
    {
        await using var lab = await LabConnection.StartAsync(clientOptions: FastRetries);
        await lab.Client.CreateAsync(ResourceTypes.ConfigMaps, "default", ConfigMap("a"));
        lab.Server.Faults.Add(new FaultRule { Verb = "get", Resource = "configmaps", StatusCode = 500, Times = 2 });
        lab.Server.Faults.Add(new FaultRule { Verb = "update", Resource = "configmaps", StatusCode = 500, Times = 1 });

        var read = await lab.Client.GetAsync(ResourceTypes.ConfigMaps, "default", "a");
        var write = await Assert.ThrowsAsync<KubernetesException>(() => lab.Client.ReplaceAsync(ResourceTypes.ConfigMaps, "default", "a", read));

        Assert.Equal(3, lab.Server.Counters.Count("get", "configmaps"));
        Assert.Equal(1, lab.Server.Counters.Count("update", "configmaps"));
        Assert.Equal("Internal error occurred: injected by the lab", write.Message);
    }

    [Fact]
    public async Task Retries_stop_after_the_configured_maximum()
    {
        await using var lab = await LabConnection.StartAsync(clientOptions: FastRetries with { MaxRetries = 2 });
        lab.Server.Faults.Add(new FaultRule { Verb = "list", Resource = "configmaps", StatusCode = 503, RetryAfterSeconds = 0 });

        var error = await Assert.ThrowsAsync<KubernetesException>(() => lab.Client.ListAsync(ResourceTypes.ConfigMaps, "default"));

        Assert.Equal(503, (int)error.StatusCode);
        Assert.Equal(3, lab.Server.Counters.Count("list", "configmaps"));
    }

    [Fact]
    public async Task Requests_beyond_the_burst_wait_for_the_rate_limiter()
    {
        using var bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 2,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            AutoReplenishment = false,
            QueueLimit = 10,
        });
        await using var lab = await LabConnection.StartAsync(clientOptions: new KubernetesClientOptions { RateLimiter = bucket });

        await lab.Client.ListAsync(ResourceTypes.ConfigMaps, "default");
        await lab.Client.ListAsync(ResourceTypes.ConfigMaps, "default");
        var third = lab.Client.ListAsync(ResourceTypes.ConfigMaps, "default");
        await Task.Delay(200);
        var waitedForToken = !third.IsCompleted && lab.Server.Counters.Count("list") == 2;
        bucket.TryReplenish();
        await third;

        Assert.True(waitedForToken, "the third request should wait for a token");
        Assert.Equal(3, lab.Server.Counters.Count("list"));
    }
}
