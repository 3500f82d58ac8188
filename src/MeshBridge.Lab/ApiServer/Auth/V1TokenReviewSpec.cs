using System.Text;
using System.Text.Json.Serialization;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>authentication.k8s.io/v1 TokenReviewSpec; both fields are <c>omitempty</c>.</summary>
public sealed record V1TokenReviewSpec
{
    [JsonPropertyName("token")]
    public string? Token { get; init; }

    [JsonPropertyName("audiences")]
    public IReadOnlyList<string>? Audiences { get; init; }

    // The generated ToString would print the bearer token into any log line that formats this record.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Token = {(Token is null ? "null" : "<redacted>")}, Audiences = [{string.Join(", ", Audiences ?? [])}]");
        return true;
    }
}
