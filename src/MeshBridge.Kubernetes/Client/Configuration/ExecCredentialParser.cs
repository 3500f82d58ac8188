using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// Reads a plugin's standard output with client-go's checks (exec.go refreshCredsLocked). The output holds secrets, so
/// no part of it is ever quoted in an error.
/// </summary>
internal static class ExecCredentialParser
{
    public static ExecCredentialResult Parse(string stdout, ExternalExecution exec)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(stdout) as JsonObject ?? throw Fail(exec, "decoding stdout: not a JSON object");
        }
        catch (JsonException)
        {
            throw Fail(exec, "decoding stdout: not a JSON ExecCredential");
        }

        var apiVersion = Text(root, "apiVersion", exec);
        if (apiVersion != exec.ApiVersion)
        {
            throw Fail(exec, $"exec plugin is configured to use API version {exec.ApiVersion}, plugin returned version {apiVersion ?? "(none)"}");
        }

        if (Text(root, "kind", exec) != "ExecCredential")
        {
            throw Fail(exec, "exec plugin output is not of kind ExecCredential");
        }

        var status = root["status"] as JsonObject ?? throw Fail(exec, "exec plugin didn't return a status field");
        var token = Text(status, "token", exec);
        var certificate = Text(status, "clientCertificateData", exec);
        var key = Text(status, "clientKeyData", exec);
        if (token is null && certificate is null && key is null)
        {
            throw Fail(exec, "exec plugin didn't return a token or a cert/key pair");
        }

        if ((certificate is null) != (key is null))
        {
            throw Fail(exec, "exec plugin returned only certificate or key, not both");
        }

        var pair = certificate is null ? null : PemCredentials.ClientCertificate(
            certificate, "status.clientCertificateData", key!, "status.clientKeyData",
            (field, reason, inner) => Fail(exec, $"exec plugin {field}: {reason}", inner));
        return new ExecCredentialResult(token, pair, Expiry(status, exec));
    }

    private static DateTimeOffset? Expiry(JsonObject status, ExternalExecution exec)
    {
        if (Text(status, "expirationTimestamp", exec) is not { } text)
        {
            return null;
        }

        // metav1.Time is RFC 3339.
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry) ? expiry
            : throw Fail(exec, $"exec plugin status.expirationTimestamp \"{text}\" is not an RFC 3339 time");
    }

    private static string? Text(JsonObject node, string field, ExternalExecution exec) => node[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is { Length: > 0 } s ? s : null,
        _ => throw Fail(exec, $"exec plugin output: {field} must be a string"),
    };

    private static KubeConfigException Fail(ExternalExecution exec, string message, Exception? inner = null) =>
        ExecPluginRunner.Error(exec, $"exec: {exec.Command}: {message}", inner);
}
