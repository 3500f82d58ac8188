using System.Text;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// What the TokenRequest endpoint answers: a signed token with the defaulted spec, or the Status the API server would
/// send instead. Validation collects every field error rather than throwing.
/// </summary>
public sealed record TokenIssueResult
{
    /// <summary>The signed JWT; null when the request failed.</summary>
    public string? Token { get; init; }

    /// <summary>The request's spec with the server defaults filled in (audiences, expirationSeconds).</summary>
    public required V1TokenRequestSpec Spec { get; init; }

    /// <summary>The clock reading the token was built from; also the reply's <c>metadata.creationTimestamp</c>.</summary>
    public DateTimeOffset CreationTimestamp { get; init; }

    /// <summary><c>status.expirationTimestamp</c>: creation plus <c>spec.expirationSeconds</c>.</summary>
    public DateTimeOffset ExpirationTimestamp { get; init; }

    /// <summary>Field errors worded as the API server words them, e.g.
    /// <c>spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes</c>.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>The Status body to answer with (422 Invalid, 400 BadRequest) when <see cref="Token"/> is null.</summary>
    public V1Status? Failure { get; init; }

    public bool Succeeded => Token is not null;

    // The generated ToString would print the token into any log line that formats this record.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Succeeded = {Succeeded}, Spec = {Spec}, ExpirationTimestamp = {ExpirationTimestamp:O}, Errors = [{string.Join(", ", Errors)}]");
        return true;
    }
}
