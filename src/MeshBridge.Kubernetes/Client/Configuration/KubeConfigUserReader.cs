using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// Reads a kubeconfig user (clientcmd/api AuthInfo) into credentials, with client_config.go's
/// getUserIdentificationPartialConfig and validation.go's validateAuthInfo rules.
/// </summary>
internal static class KubeConfigUserReader
{
    public static void Read(KubeConfigSection user, KubernetesClientConfiguration configuration, JsonNode? execExtension)
    {
        RejectUnsupported(user);
        ReadToken(user, configuration);
        configuration.ClientCertificate = ReadClientCertificate(user);
        if (user.Child("exec") is { } exec)
        {
            configuration.ExecCredential = ReadExec(exec, execExtension);
        }
    }

    private static void RejectUnsupported(KubeConfigSection user)
    {
        if (user.Has("auth-provider"))
        {
            throw user.Error("auth-provider", "auth-provider plugins are not supported; use an exec credential plugin (users[].user.exec) instead, e.g. kubelogin for OIDC or AKS, gke-gcloud-auth-plugin for GKE, aws eks get-token for EKS");
        }

        // Basic auth was removed from kube-apiserver in v1.19, so it can only be meant for a proxy; refusing is safer
        // than sending a password. The password itself is never named.
        if (user.Has("username") || user.Has("password"))
        {
            throw user.Error("username", "basic authentication (username/password) is not supported; use a token, a client certificate or an exec plugin");
        }

        // Sending requests as the real user when the kubeconfig asks to impersonate someone else would be a silent change of identity.
        foreach (var field in new[] { "as", "as-uid", "as-groups", "as-user-extra" })
        {
            if (user.Has(field))
            {
                throw user.Error(field, "impersonation is not supported");
            }
        }
    }

    private static void ReadToken(KubeConfigSection user, KubernetesClientConfiguration configuration)
    {
        var token = user.String("token");
        var tokenFile = user.FilePath("tokenFile");
        configuration.TokenFile = tokenFile;

        // With both set, client-go keeps the token and re-reads the file on every refresh, the file winning once read;
        // with only the file, it reads it now so a missing file fails at load time.
        configuration.AccessToken = token ?? (tokenFile is null ? null
            : ConfigFileReader.ReadToken(tokenFile, (reason, e) => user.Error($"tokenFile {tokenFile}", reason, e)));
    }

    private static X509Certificate2? ReadClientCertificate(KubeConfigSection user)
    {
        var certificate = ReadPem(user, "client-certificate");
        var key = ReadPem(user, "client-key");
        if (certificate is null && key is null)
        {
            return null;
        }

        if (key is null)
        {
            throw user.Error("client-key-data or client-key must be specified to use the client certificate");
        }

        if (certificate is null)
        {
            throw user.Error("client-certificate-data or client-certificate must be specified to use the client key");
        }

        return PemCredentials.ClientCertificate(certificate.Value.Pem, certificate.Value.Field, key.Value.Pem, key.Value.Field, KubeConfigLoader.FieldError(user));
    }

    /// <summary>The PEM text of <c>field</c> (a path) or <c>field-data</c> (base64), with the field name to blame.</summary>
    private static (string Pem, string Field)? ReadPem(KubeConfigSection user, string field)
    {
        var path = user.FilePath(field);
        var data = user.Base64($"{field}-data");
        if (path is not null && data is not null)
        {
            // validation.go: "client-cert-data and client-cert are both specified"; clientcmd refuses to guess.
            throw user.Error($"{field}-data and {field} are both specified; keep one");
        }

        return path is not null ? (user.ReadFile(field, path), $"{field} {path}")
            : data is not null ? (Encoding.ASCII.GetString(data), $"{field}-data")
            : null;
    }

    private static ExternalExecution ReadExec(KubeConfigSection exec, JsonNode? execExtension)
    {
        var apiVersion = exec.String("apiVersion") ?? throw exec.Error("apiVersion", $"not set; use {ExternalExecution.V1}");
        if (apiVersion is not (ExternalExecution.V1 or ExternalExecution.V1Beta1))
        {
            throw exec.Error("apiVersion", $"\"{apiVersion}\" is not supported; use {ExternalExecution.V1} or {ExternalExecution.V1Beta1}");
        }

        var command = exec.String("command") ?? throw exec.Error("command", "not set");
        return new ExternalExecution
        {
            ApiVersion = apiVersion,
            Command = command.Contains('/', StringComparison.Ordinal) ? exec.ResolvePath(command) : command,
            Arguments = ReadArguments(exec),
            EnvironmentVariables = ReadEnvironment(exec),
            InstallHint = exec.String("installHint"),
            ProvideClusterInfo = exec.Bool("provideClusterInfo"),
            InteractiveMode = ReadInteractiveMode(exec, apiVersion),
            ClusterConfig = execExtension,
            Origin = $"kubeconfig {exec.File}: {exec.Entry}",
        };
    }

    private static List<string> ReadArguments(KubeConfigSection exec) =>
        (exec.Array("args") ?? []).Select((arg, i) =>
            arg is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
                : throw exec.Error($"args[{i}]", "must be a string")).ToList();

    private static List<KeyValuePair<string, string>> ReadEnvironment(KubeConfigSection exec)
    {
        var result = new List<KeyValuePair<string, string>>();
        var list = exec.Array("env") ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var item = list[i] as JsonObject ?? throw exec.Error($"env[{i}]", "must be a mapping with name and value");
            var variable = new KubeConfigSection(item, exec.File, exec.Entry, exec.Name($"env[{i}]."));
            var name = variable.String("name") ?? throw variable.Error("name", "not set");
            result.Add(new(name, variable.String("value") ?? string.Empty));
        }

        return result;
    }

    /// <summary>v1 requires interactiveMode (validation.go); v1beta1 defaults it to IfAvailable.</summary>
    private static string ReadInteractiveMode(KubeConfigSection exec, string apiVersion)
    {
        var mode = exec.String("interactiveMode");
        if (mode is null)
        {
            return apiVersion == ExternalExecution.V1 ? throw exec.Error("interactiveMode", $"must be specified for {ExternalExecution.V1} (Never or IfAvailable)") : "IfAvailable";
        }

        return mode is "Never" or "IfAvailable" or "Always" ? mode
            : throw exec.Error("interactiveMode", $"\"{mode}\" is not one of Never, IfAvailable, Always");
    }
}
