using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// A patch the API server would refuse. <see cref="Exception.Message"/> says what went wrong (worded like
/// evanphx/json-patch, which kube-apiserver uses) for logs and tests; <see cref="ToStatus"/> is what the client sees.
/// </summary>
public sealed class PatchException : Exception
{
    /// <summary>kube-apiserver's fixed message for a 422 without details [apimachinery/pkg/api/errors/errors.go].</summary>
    public const string InvalidStatusMessage = "the server rejected our request due to an error in our request";

    public PatchException()
        : this(PatchErrorKind.Invalid, InvalidStatusMessage)
    {
    }

    public PatchException(string message)
        : this(PatchErrorKind.Invalid, message)
    {
    }

    public PatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = PatchErrorKind.Invalid;
    }

    public PatchException(PatchErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public PatchErrorKind Kind { get; }

    public int StatusCode => Kind switch
    {
        PatchErrorKind.BadRequest => 400,
        PatchErrorKind.RequestEntityTooLarge => 413,
        _ => 422,
    };

    /// <summary>The Status body kube-apiserver sends for this failure (§4 of kube-api.md).</summary>
    public V1Status ToStatus() => Kind switch
    {
        PatchErrorKind.BadRequest => FailureStatus.Create(StatusCode, "BadRequest", Message, details: null),
        PatchErrorKind.RequestEntityTooLarge => FailureStatus.Create(StatusCode, "RequestEntityTooLarge", $"Request entity too large: {Message}", details: null),
        _ => FailureStatus.Create(StatusCode, "Invalid", InvalidStatusMessage, new V1StatusDetails()),
    };
}
