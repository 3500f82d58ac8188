using System.Collections.Concurrent;

namespace MeshBridge.Lab.ApiServer;

/// <summary>Requests by verb and resource, for tests ("a restart makes zero writes") and benchmarks.</summary>
public sealed class RequestCounters
{
    private readonly ConcurrentDictionary<(string Verb, string Resource), long> counts = new();

    private readonly ConcurrentDictionary<string, long> protocols = new();

    public void Record(string verb, string resource) => counts.AddOrUpdate((verb, resource), 1, (_, n) => n + 1);

    /// <summary>Requests by HTTP protocol ("HTTP/1.1", "HTTP/2").</summary>
    public void RecordProtocol(string protocol) => protocols.AddOrUpdate(protocol, 1, (_, n) => n + 1);

    public long ProtocolCount(string protocol) => protocols.GetValueOrDefault(protocol);

    public long Count(string verb, string? resource = null) =>
        counts.Where(p => p.Key.Verb == verb && (resource is null || p.Key.Resource == resource)).Sum(p => p.Value);

    /// <summary>create + update + patch + delete + deletecollection.</summary>
    public long Writes(string? resource = null) =>
        new[] { "create", "update", "patch", "delete", "deletecollection" }.Sum(v => Count(v, resource));

    public IReadOnlyDictionary<(string Verb, string Resource), long> Snapshot() => new Dictionary<(string, string), long>(counts);

    public void Reset()
    {
        counts.Clear();
        protocols.Clear();
    }
}
