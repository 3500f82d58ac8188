using System.Buffers.Text;
using System.Text.Json;

namespace MeshBridge.Cli.Certificates;

/// <summary>
/// The service account a Kubernetes token names, read from its JWT payload without verifying the signature: only the
/// CA can judge the token (it asks the API server with a TokenReview); we read it only to know which identity to ask
/// for. Claims as kube-apiserver writes them (pkg/serviceaccount/claims.go): <c>kubernetes.io.namespace</c> and
/// <c>kubernetes.io.serviceaccount.name</c>, else <c>sub</c> = <c>system:serviceaccount:&lt;ns&gt;:&lt;sa&gt;</c> (legacy tokens).
/// </summary>
internal static class ServiceAccountTokenIdentity
{
    private const string SubjectPrefix = "system:serviceaccount:";

    /// <summary>The namespace and name, or an explanation of why the token names none (never the token itself).</summary>
    public static bool TryRead(string token, out (string Namespace, string Name) account, out string problem)
    {
        account = default;
        var parts = token.Trim().Split('.');
        if (parts.Length != 3)
        {
            problem = $"it is not a JWT (expected three dot-separated parts, found {parts.Length})";
            return false;
        }

        JsonDocument payload;
        try
        {
            payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            problem = "its payload is not base64url JSON";
            return false;
        }

        using (payload)
        {
            var claims = payload.RootElement;
            if (claims.ValueKind == JsonValueKind.Object
                && claims.TryGetProperty("kubernetes.io", out var kubernetes) && kubernetes.ValueKind == JsonValueKind.Object
                && kubernetes.TryGetProperty("namespace", out var ns) && ns.ValueKind == JsonValueKind.String
                && kubernetes.TryGetProperty("serviceaccount", out var sa) && sa.ValueKind == JsonValueKind.Object
                && sa.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                && !string.IsNullOrEmpty(ns.GetString()) && !string.IsNullOrEmpty(name.GetString()))
            {
                account = (ns.GetString()!, name.GetString()!);
                problem = string.Empty;
                return true;
            }

            if (claims.ValueKind == JsonValueKind.Object && claims.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String
                && sub.GetString()!.StartsWith(SubjectPrefix, StringComparison.Ordinal)
                && sub.GetString()![SubjectPrefix.Length..].Split(':') is [{ Length: > 0 } subjectNamespace, { Length: > 0 } subjectName])
            {
                account = (subjectNamespace, subjectName);
                problem = string.Empty;
                return true;
            }
        }

        problem = "its claims name no service account (no kubernetes.io.namespace/serviceaccount.name, no sub system:serviceaccount:<ns>:<sa>)";
        return false;
    }
}
