using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using MeshBridge.Kubernetes.Client;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;
using MeshBridge.Transform.Model;

namespace MeshBridge.Kubernetes.Caching;

/// <summary>
/// A list+watch cache of one resource type with client-go reflector semantics: list (paged), then watch from the
/// list's resourceVersion with bookmarks; a stream that ends is resumed from the last version seen; 410 Gone
/// relists and reports objects that vanished meanwhile as deletes; other failures back off and retry. Ready
/// (<see cref="HasSynced"/>) after the first complete list. Objects are indexed by namespace. With
/// <see cref="InformerOptions.StoreSerialized"/> each object is kept as its UTF-8 JSON and decoded on every read.
/// </summary>
public sealed class Informer<T> where T : KubernetesObject
{
    private readonly KubernetesApi client;
    private readonly ResourceType type;
    private readonly JsonTypeInfo<T> typeInfo;
    private readonly InformerOptions options;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Cached>> byNamespace = new(StringComparer.Ordinal);
    private readonly List<IInformerHandler<T>> handlers = [];
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string resourceVersion = string.Empty;

    public Informer(KubernetesApi client, ResourceType type, JsonTypeInfo<T> typeInfo, InformerOptions? options = null)
    {
        this.client = client;
        this.type = type;
        this.typeInfo = typeInfo;
        this.options = options ?? new InformerOptions();
    }

    public bool HasSynced => synced.Task.IsCompleted;

    public string LastSyncResourceVersion => Volatile.Read(ref resourceVersion);

    /// <summary>How many full lists were made: 1 after start, one more per relist (410 Gone).</summary>
    public int ListCount { get; private set; }

    public int Count => byNamespace.Values.Sum(n => n.Count);

    public void AddHandler(IInformerHandler<T> handler)
    {
        lock (handlers)
        {
            handlers.Add(handler);
        }
    }

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => synced.Task.WaitAsync(cancellationToken);

    public T? Get(string? ns, string name) =>
        byNamespace.TryGetValue(ns ?? string.Empty, out var names) && names.TryGetValue(name, out var cached) ? Read(cached) : null;

    /// <summary>Every cached object (of one namespace, or all); with a serialized store each is decoded: prefer <see cref="Keys"/> when names suffice.</summary>
    public IReadOnlyList<T> List(string? ns = null) => ns is null
        ? byNamespace.Values.SelectMany(n => n.Values).Select(Read).ToList()
        : byNamespace.TryGetValue(ns, out var names) ? names.Values.Select(Read).ToList() : [];

    /// <summary>The namespace and name of every cached object (of one namespace, or all), decoding nothing.</summary>
    public IReadOnlyList<(string Namespace, string Name)> Keys(string? ns = null) => ns is null
        ? byNamespace.SelectMany(n => n.Value.Keys.Select(name => (n.Key, name))).ToList()
        : byNamespace.TryGetValue(ns, out var names) ? names.Keys.Select(name => (ns, name)).ToList() : [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var resync = options.ResyncPeriod is { } period ? new PeriodicTimer(period, options.Time) : null;
        var resyncLoop = resync is null ? Task.CompletedTask : ResyncAsync(resync, cancellationToken);
        var needList = true;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    await RelistAsync(cancellationToken).ConfigureAwait(false);
                    needList = false;
                }

                var (relist, delivered) = await WatchOnceAsync(cancellationToken).ConfigureAwait(false);
                needList = relist;
                if (delivered || relist)
                {
                    failures = 0;
                }
                else
                {
                    // A stream that closed without a single event: back off as after a failure, or a server that
                    // drops watches at once would be hammered (client-go's reflector backs off here too).
                    await DelayAsync(failures++, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (KubernetesException e) when (e.IsGone)
            {
                needList = true;
            }
            catch (Exception e) when (e is KubernetesException or HttpRequestException or IOException or JsonException or OperationCanceledException)
            {
                await DelayAsync(failures++, cancellationToken).ConfigureAwait(false);
            }
        }

        await resyncLoop.ConfigureAwait(false);
    }

    private async Task DelayAsync(int failures, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromTicks(Math.Min(options.MaxBackoff.Ticks, options.InitialBackoff.Ticks * (1L << Math.Min(failures, 16))));
        try
        {
            await Task.Delay(delay, options.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop condition ends the informer.
        }
    }

    private async Task RelistAsync(CancellationToken cancellationToken)
    {
        // Page by page, decoding each page as it comes, so the raw list is never held whole (a cold start's peak memory).
        var listOptions = new ListOptions { LabelSelector = options.LabelSelector, FieldSelector = options.FieldSelector, Limit = options.PageSize };
        var seen = new HashSet<(string, string)>();
        var page = await client.ListAsync(type, options.Namespace, listOptions, cancellationToken).ConfigureAwait(false);
        var version = page.ResourceVersion;
        while (true)
        {
            foreach (var item in page.Items)
            {
                var obj = Decode(item);
                seen.Add(KeyOf(obj));
                Upsert(obj);
            }

            if (page.Continue is not { } next)
            {
                break;
            }

            page = await client.ListAsync(type, options.Namespace, listOptions with { Continue = next }, cancellationToken).ConfigureAwait(false);
        }

        foreach (var stale in Keys().Where(k => !seen.Contains(k)).Select(k => Get(k.Namespace, k.Name)).OfType<T>())
        {
            Remove(stale);
        }

        Volatile.Write(ref resourceVersion, version);
        ListCount++;
        synced.TrySetResult();
    }

    /// <summary>Watches until the stream ends: whether the cache must relist (410 Gone), and whether any event came.</summary>
    private async Task<(bool Relist, bool Delivered)> WatchOnceAsync(CancellationToken cancellationToken)
    {
        var delivered = false;
        var timeout = (int)(options.MinWatchTimeout.TotalSeconds * (1 + options.Random.NextDouble()));
        var watch = new WatchOptions
        {
            ResourceVersion = LastSyncResourceVersion,
            LabelSelector = options.LabelSelector,
            FieldSelector = options.FieldSelector,
            AllowWatchBookmarks = true,
            TimeoutSeconds = Math.Max(1, timeout),
        };
        await foreach (var e in client.WatchAsync(type, options.Namespace, watch, cancellationToken).ConfigureAwait(false))
        {
            switch (e.Type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    Upsert(Decode(e.Object));
                    break;
                case WatchEventType.Deleted:
                    Remove(Decode(e.Object));
                    break;
                case WatchEventType.Error when e.Object["code"]?.ToJsonString() == "410":
                    return (true, delivered);
                case WatchEventType.Error:
                    throw new KubernetesException(e.Object["message"]?.GetValue<string>() ?? "watch error");
            }

            delivered = true;
            if (e.ResourceVersion is { Length: > 0 } version)
            {
                Volatile.Write(ref resourceVersion, version);
            }
        }

        return (false, delivered);
    }

    private void Upsert(T obj)
    {
        var (ns, name) = KeyOf(obj);
        var names = byNamespace.GetOrAdd(ns, _ => new ConcurrentDictionary<string, Cached>(StringComparer.Ordinal));
        var existed = names.TryGetValue(name, out var cached);
        if (existed && cached!.ResourceVersion == obj.Metadata.ResourceVersion)
        {
            return;
        }

        var old = existed ? Read(cached!) : null;
        names[name] = Store(obj);
        Notify(h =>
        {
            if (existed)
            {
                h.OnUpdate(old!, obj);
            }
            else
            {
                h.OnAdd(obj);
            }
        });
    }

    private void Remove(T obj)
    {
        var (ns, name) = KeyOf(obj);
        if (byNamespace.TryGetValue(ns, out var names) && names.TryRemove(name, out var cached))
        {
            var last = Read(cached);
            Notify(h => h.OnDelete(last));
        }
    }

    private async Task ResyncAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var obj in List())
                {
                    Notify(h => h.OnUpdate(obj, obj));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped with the informer.
        }
    }

    private void Notify(Action<IInformerHandler<T>> action)
    {
        IInformerHandler<T>[] current;
        lock (handlers)
        {
            current = [.. handlers];
        }

        foreach (var handler in current)
        {
            action(handler);
        }
    }

    private T Decode(JsonObject obj)
    {
        if (options.StripManagedFields && obj["metadata"] is JsonObject metadata)
        {
            metadata.Remove("managedFields");
        }

        obj["apiVersion"] ??= type.ApiVersion;
        obj["kind"] ??= type.Kind;
        return obj.Deserialize(typeInfo) ?? throw new JsonException($"could not decode a {type.Kind}");
    }

    private Cached Store(T obj) => options.StoreSerialized
        ? new Cached(obj.Metadata.ResourceVersion, null, JsonSerializer.SerializeToUtf8Bytes(obj, typeInfo))
        : new Cached(obj.Metadata.ResourceVersion, obj, null);

    private T Read(Cached cached) => cached.Object ?? JsonSerializer.Deserialize(cached.Utf8Json, typeInfo) ?? throw new JsonException($"could not decode a cached {type.Kind}");

    private static (string Namespace, string Name) KeyOf(T obj) => (obj.Metadata.Namespace() ?? string.Empty, obj.Metadata.Name ?? string.Empty);

    /// <summary>One cache entry: the object itself, or (<see cref="InformerOptions.StoreSerialized"/>) its UTF-8 JSON.</summary>
    private sealed record Cached(string? ResourceVersion, T? Object, byte[]? Utf8Json);
}
