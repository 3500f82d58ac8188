using System.Collections.Concurrent;
using MeshBridge.Kubernetes.Queues;

namespace MeshBridge.Kubernetes.Tests.Queues;

/// <summary>Many workers and producers on real threads: the guarantees hold under contention.</summary>
public sealed class ConcurrentWorkerTests
{
    private const int Keys = 50;
    private const int Rounds = 200;
    private const int Workers = 8;

    [Fact]
    public async Task Concurrent_workers_never_hold_the_same_key_and_every_add_is_seen_by_a_later_processing()
    {
        using var queue = new RateLimitingQueue<int>(new ManualTimeProvider());
        var added = new int[Keys];
        var seen = new int[Keys];
        var inFlight = new ConcurrentDictionary<int, bool>();
        var overlaps = 0;
        var processed = 0;

        var workers = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            while (await queue.GetAsync() is (var key, false))
            {
                if (!inFlight.TryAdd(key, true))
                {
                    Interlocked.Increment(ref overlaps);
                }

                // Read the version before yielding, so an add that lands while this worker runs must come round again.
                InterlockedMax(ref seen[key], Volatile.Read(ref added[key]));
                await Task.Yield();
                inFlight.TryRemove(key, out _);
                Interlocked.Increment(ref processed);
                queue.Done(key);
            }
        })).ToList();
        var producers = Enumerable.Range(0, 2).Select(p => Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                // Each round waits for the workers to have taken keys, so adds keep landing on keys being processed.
                while (Volatile.Read(ref processed) < round)
                {
                    await Task.Yield();
                }

                for (var key = p; key < Keys; key += 2)
                {
                    Interlocked.Increment(ref added[key]);
                    queue.Add(key);
                }
            }
        })).ToList();

        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(30));
        queue.ShutDown();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, overlaps);
        Assert.Equal(added, seen);
        Assert.True(queue.AddsTotal > Keys * 2, $"only {queue.AddsTotal} adds made a key pending: the workers never raced the producers");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
