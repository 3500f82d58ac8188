namespace MeshBridge.Grpc;

/// <summary>
/// Per-call options: request metadata, a deadline and a cancellation token. The deadline is an absolute UTC time
/// (as in Grpc.Core) so retries of one logical operation share it instead of each getting a fresh timeout.
/// </summary>
/// <param name="Headers">Metadata sent as request headers (e.g. <c>authorization: Bearer …</c>); null for none.</param>
/// <param name="Deadline">When the call must finish, in UTC, read against the channel's TimeProvider; null for none.</param>
/// <param name="CancellationToken">Cancels the call; the call then fails with <see cref="StatusCode.Cancelled"/>.</param>
public readonly record struct CallOptions(
    Metadata? Headers = null,
    DateTime? Deadline = null,
    CancellationToken CancellationToken = default)
{
    /// <summary>Returns a copy with the given deadline.</summary>
    public CallOptions WithDeadline(DateTime deadline) => this with { Deadline = deadline };

    /// <summary>Returns a copy with the given headers.</summary>
    public CallOptions WithHeaders(Metadata headers) => this with { Headers = headers };

    /// <summary>Returns a copy with the given cancellation token.</summary>
    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => this with { CancellationToken = cancellationToken };
}
