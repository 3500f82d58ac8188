using System.Globalization;
using System.Net;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.LeaderElection;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Kubernetes.Tests.LeaderElection;

/// <summary>
/// Leases kept in memory with the API server's optimistic concurrency: every write bumps
/// <c>metadata.resourceVersion</c>, a replace carrying an older version is refused with 409 Conflict, and a create of
/// an existing Lease with 409 AlreadyExists. Failures are injected with the <c>With…</c> hooks.
/// </summary>
public sealed class InMemoryLeaseClient : ILeaseClient
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Namespace, string Name), V1Lease> _leases = [];
    private long _resourceVersion;
    private int _failuresLeft;
    private HttpStatusCode _failureStatus;
    private Rendezvous? _getRendezvous;

    public int Gets { get; private set; }

    /// <summary>Writes refused with 409 because the Lease existed or had changed.</summary>
    public int Conflicts { get; private set; }

    /// <summary>Stores <paramref name="lease"/> as if someone else had created it.</summary>
    public InMemoryLeaseClient WithLease(V1Lease lease)
    {
        lock (_gate)
        {
            Store(lease);
        }

        return this;
    }

    /// <summary>The next <paramref name="count"/> calls, of any kind, fail with <paramref name="status"/>.</summary>
    public InMemoryLeaseClient WithFailures(int count, HttpStatusCode status = HttpStatusCode.InternalServerError)
    {
        lock (_gate)
        {
            _failuresLeft = count;
            _failureStatus = status;
        }

        return this;
    }

    /// <summary>
    /// The next <paramref name="parties"/> gets each read the Lease, then wait until all of them have read before
    /// answering: every one of those callers then writes against the same resourceVersion.
    /// </summary>
    public InMemoryLeaseClient WithGetRendezvous(int parties)
    {
        lock (_gate)
        {
            _getRendezvous = new Rendezvous(parties);
        }

        return this;
    }

    /// <summary>Another connection to the same Leases that fails every call while <paramref name="isCutOff"/> says so.</summary>
    public ILeaseClient Partitionable(Func<bool> isCutOff) => new PartitionableConnection(this, isCutOff);

    public V1Lease? Lease(string ns, string name)
    {
        lock (_gate)
        {
            return _leases.GetValueOrDefault((ns, name));
        }
    }

    public async Task<V1Lease?> GetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        V1Lease? lease;
        Task arrived;
        lock (_gate)
        {
            ThrowIfFailing();
            Gets++;
            lease = _leases.GetValueOrDefault((ns, name));
            arrived = _getRendezvous?.Arrive() ?? Task.CompletedTask;
            if (_getRendezvous?.IsFull == true)
            {
                _getRendezvous = null;
            }
        }

        await arrived.WaitAsync(cancellationToken);
        return lease;
    }

    public Task<V1Lease> CreateAsync(V1Lease lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfFailing();
            if (_leases.ContainsKey(Key(lease)))
            {
                Conflicts++;
                throw Error(HttpStatusCode.Conflict, "AlreadyExists", $"leases.coordination.k8s.io \"{lease.Metadata.Name}\" already exists");
            }

            return Task.FromResult(Store(lease));
        }
    }

    public Task<V1Lease> ReplaceAsync(V1Lease lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfFailing();
            if (!_leases.TryGetValue(Key(lease), out var stored))
            {
                throw Error(HttpStatusCode.NotFound, "NotFound", $"leases.coordination.k8s.io \"{lease.Metadata.Name}\" not found");
            }

            // The elector always replaces the version it read; an unconditional update would be a bug in it.
            if (string.IsNullOrEmpty(lease.Metadata.ResourceVersion))
            {
                throw new InvalidOperationException("a Lease replace must carry the resourceVersion it was read at");
            }

            if (lease.Metadata.ResourceVersion != stored.Metadata.ResourceVersion)
            {
                Conflicts++;
                throw Error(
                    HttpStatusCode.Conflict,
                    "Conflict",
                    $"Operation cannot be fulfilled on leases.coordination.k8s.io \"{lease.Metadata.Name}\": the object has been modified; please apply your changes to the latest version and try again");
            }

            return Task.FromResult(Store(lease));
        }
    }

    private static (string, string) Key(V1Lease lease) => (lease.Metadata.NamespaceProperty ?? string.Empty, lease.Metadata.Name ?? string.Empty);

    private static KubernetesException Error(HttpStatusCode code, string reason, string message) =>
        new(new V1Status { Status = "Failure", Reason = reason, Message = message, Code = (int)code }, code);

    private V1Lease Store(V1Lease lease)
    {
        var version = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        var stored = lease with { Metadata = lease.Metadata with { ResourceVersion = version } };
        _leases[Key(stored)] = stored;
        return stored;
    }

    private void ThrowIfFailing()
    {
        if (_failuresLeft > 0)
        {
            _failuresLeft--;
            throw Error(_failureStatus, "InternalError", "injected failure");
        }
    }

    private sealed class Rendezvous(int parties)
    {
        private readonly TaskCompletionSource _allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public bool IsFull => _arrived >= parties;

        public Task Arrive()
        {
            if (++_arrived >= parties)
            {
                _allArrived.TrySetResult();
            }

            return _allArrived.Task;
        }
    }

    private sealed class PartitionableConnection(InMemoryLeaseClient server, Func<bool> isCutOff) : ILeaseClient
    {
        public Task<V1Lease?> GetAsync(string ns, string name, CancellationToken cancellationToken) =>
            isCutOff() ? Task.FromException<V1Lease?>(Unreachable()) : server.GetAsync(ns, name, cancellationToken);

        public Task<V1Lease> CreateAsync(V1Lease lease, CancellationToken cancellationToken) =>
            isCutOff() ? Task.FromException<V1Lease>(Unreachable()) : server.CreateAsync(lease, cancellationToken);

        public Task<V1Lease> ReplaceAsync(V1Lease lease, CancellationToken cancellationToken) =>
            isCutOff() ? Task.FromException<V1Lease>(Unreachable()) : server.ReplaceAsync(lease, cancellationToken);

        private static HttpRequestException Unreachable() => new("the API server is unreachable from this candidate");
    }
}
