namespace MeshBridge.Certificates.IstioCa;

/// <summary>Why a certificate request to the Istio CA failed, so callers can decide what to retry.</summary>
public enum IstioCaFailure
{
    /// <summary>No connection: DNS, refused, timed out (worth retrying).</summary>
    Unreachable,

    /// <summary>The TLS handshake failed: the server certificate does not name the expected server, or is not trusted by the mesh root.</summary>
    TlsUntrusted,

    /// <summary>The CA did not accept the bearer token (UNAUTHENTICATED).</summary>
    Unauthenticated,

    /// <summary>The CA rejected the request itself, e.g. a TTL above its maximum (INVALID_ARGUMENT).</summary>
    InvalidArgument,

    /// <summary>The CA answered with another error status (Internal, PermissionDenied, Unimplemented, …).</summary>
    Refused,

    /// <summary>The call ran out of time (DEADLINE_EXCEEDED).</summary>
    Timeout,

    /// <summary>The CA answered, but the certificate failed verification (<see cref="ChainVerifier"/>); nothing may be written.</summary>
    Verification,
}
