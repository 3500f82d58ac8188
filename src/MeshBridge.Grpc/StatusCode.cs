namespace MeshBridge.Grpc;

/// <summary>
/// The gRPC status codes with their wire numbers (grpc/grpc doc/statuscodes.md); the numbers are what
/// <c>grpc-status</c> carries, so they must never be renumbered.
/// </summary>
public enum StatusCode
{
    /// <summary>Success.</summary>
    OK = 0,

    /// <summary>The call was cancelled, usually by the caller.</summary>
    Cancelled = 1,

    /// <summary>An error with no better code, including an unmapped HTTP status.</summary>
    Unknown = 2,

    /// <summary>The request is malformed whatever the server's state (istiod: a bad CSR or TTL).</summary>
    InvalidArgument = 3,

    /// <summary>The deadline passed before the call completed.</summary>
    DeadlineExceeded = 4,

    /// <summary>A requested entity was not found.</summary>
    NotFound = 5,

    /// <summary>The entity the caller tried to create already exists.</summary>
    AlreadyExists = 6,

    /// <summary>The caller is authenticated but not allowed.</summary>
    PermissionDenied = 7,

    /// <summary>A resource ran out, e.g. a message over the size limit.</summary>
    ResourceExhausted = 8,

    /// <summary>The system is not in the state the operation needs.</summary>
    FailedPrecondition = 9,

    /// <summary>The operation was aborted, e.g. by a concurrency conflict.</summary>
    Aborted = 10,

    /// <summary>The operation went past the valid range.</summary>
    OutOfRange = 11,

    /// <summary>The server does not implement the method.</summary>
    Unimplemented = 12,

    /// <summary>An invariant broke, including malformed gRPC framing.</summary>
    Internal = 13,

    /// <summary>The service is unreachable for now; callers may retry with backoff.</summary>
    Unavailable = 14,

    /// <summary>Unrecoverable data loss.</summary>
    DataLoss = 15,

    /// <summary>The caller has no valid credentials (istiod: "request authenticate failure").</summary>
    Unauthenticated = 16,
}
