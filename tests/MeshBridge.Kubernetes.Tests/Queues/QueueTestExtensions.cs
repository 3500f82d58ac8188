using MeshBridge.Kubernetes.Queues;

namespace MeshBridge.Kubernetes.Tests.Queues;

internal static class QueueTestExtensions
{
    /// <summary>Generous, because it only bounds a failing test; a passing one never waits for it.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The next key, failing the test instead of hanging it when none comes.</summary>
    public static Task<(TKey Key, bool Shutdown)> NextAsync<TKey>(this RateLimitingQueue<TKey> queue)
        where TKey : notnull =>
        queue.GetAsync().AsTask().WaitAsync(Timeout);
}
