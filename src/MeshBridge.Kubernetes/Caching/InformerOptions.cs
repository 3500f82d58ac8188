namespace MeshBridge.Kubernetes.Caching;

public sealed record InformerOptions
{
    /// <summary>Watch one namespace; null watches all.</summary>
    public string? Namespace { get; init; }

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Every period each cached object is delivered again as an update (controller-runtime's resync).</summary>
    public TimeSpan? ResyncPeriod { get; init; }

    public int PageSize { get; init; } = 500;

    /// <summary>
    /// Drops metadata.managedFields before caching (controller-runtime's default transform): often the largest part
    /// of an object, and no reconciler reads it.
    /// </summary>
    public bool StripManagedFields { get; init; } = true;

    /// <summary>
    /// Keeps each object as its compact UTF-8 JSON and decodes it on every read (<c>Get</c>, <c>List</c>, a handler's
    /// old object), instead of keeping the decoded object: a VirtualServer takes about 40 % of the memory, for some
    /// microseconds per read. For the kinds a cluster has thousands of; a reader gets a fresh object each time.
    /// </summary>
    public bool StoreSerialized { get; init; }

    /// <summary>Watches are renewed after a random time in [min, 2·min), as client-go's reflector does (5–10 min).</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Random Random { get; init; } = Random.Shared;
}
