namespace MeshBridge.Certificates.Sds;

/// <summary>Why fetching the workload certificate over SDS failed.</summary>
public enum SdsFailure
{
    /// <summary>No SDS socket at the path, or nothing listening on it (istio-agent not running, emptyDir not mounted).</summary>
    SocketMissing,

    /// <summary>The server does not serve StreamSecrets (UNIMPLEMENTED): not an SDS server, e.g. the xDS proxy socket.</summary>
    Unimplemented,

    /// <summary>The server rejected the request (INVALID_ARGUMENT), e.g. "missing node information" for an empty node.id.</summary>
    InvalidArgument,

    /// <summary>The requested secrets did not all arrive in time.</summary>
    Timeout,

    /// <summary>The server ended the stream with another status, or sent secrets that are not usable.</summary>
    Refused,

    /// <summary>The server ended a watched stream after it had sent secrets (istio-agent restarting, SPIRE agent rotated its socket); reconnect.</summary>
    StreamEnded,
}
