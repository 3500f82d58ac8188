namespace MeshBridge.Lab.ApiServer;

/// <summary>
/// One injected failure, matched by verb, resource (plural), namespace and name (null matches any). It answers with
/// <see cref="StatusCode"/> (and Retry-After), delays the request, or drops a watch after some events; it applies
/// <see cref="Times"/> times (null: until removed) and only inside its outage window when one is set.
/// </summary>
public sealed record FaultRule
{
    public string? Verb { get; init; }

    public string? Resource { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    public int? StatusCode { get; init; }

    public string Reason { get; init; } = "InternalError";

    public string Message { get; init; } = "Internal error occurred: injected by the lab";

    public int? RetryAfterSeconds { get; init; }

    public TimeSpan? Delay { get; init; }

    /// <summary>For watches: close the stream after this many events (0: at once).</summary>
    public int? DropWatchAfterEvents { get; init; }

    public int? Times { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? Until { get; init; }

    internal bool Matches(ApiRequest request, DateTimeOffset now) =>
        (Verb is null || Verb == request.Verb) &&
        (Resource is null || Resource == request.Resource.Plural) &&
        (Namespace is null || Namespace == request.Namespace) &&
        (Name is null || Name == request.Name) &&
        (From is null || now >= From) &&
        (Until is null || now < Until);
}
