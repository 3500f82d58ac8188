namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// The pod's own service account, as client-go's rest.InClusterConfig and clientcmd's inClusterClientConfig read it.
/// </summary>
internal static class InClusterConfigLoader
{
    public const string DefaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>kubernetes-client's rule: the service environment variables are set and the token file exists.</summary>
    public static bool IsInCluster(string? serviceAccountDirectory, Func<string, string?> environment) =>
        !string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_HOST"))
        && !string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_PORT"))
        && File.Exists(Path.Combine(serviceAccountDirectory ?? DefaultServiceAccountDirectory, "token"));

    public static KubernetesClientConfiguration Load(string? serviceAccountDirectory, TimeProvider? time, Func<string, string?> environment)
    {
        var host = environment("KUBERNETES_SERVICE_HOST");
        var port = environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubeConfigException("in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (is this running in a pod?)");
        }

        var directory = serviceAccountDirectory ?? DefaultServiceAccountDirectory;
        var tokenFile = Path.Combine(directory, "token");
        var caFile = Path.Combine(directory, "ca.crt");
        var token = ConfigFileReader.ReadToken(tokenFile, (reason, e) => Error($"token {tokenFile}", reason, e));

        // net.JoinHostPort: an IPv6 service address is bracketed.
        var authority = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
        return new KubernetesClientConfiguration
        {
            Host = $"https://{authority}",
            Namespace = Namespace(directory, environment),

            // client-go logs a missing ca.crt and goes on with the system roots.
            SslCaCerts = File.Exists(caFile)
                ? PemCredentials.CertificateAuthorities(ConfigFileReader.ReadText(caFile, (reason, e) => Error($"ca.crt {caFile}", reason, e)), $"ca.crt {caFile}", Error)
                : null,
            AccessToken = token,

            // The kubelet rotates the projected token; the file is re-read (client-go: BearerTokenFile).
            TokenFile = tokenFile,
            TimeProvider = time ?? TimeProvider.System,
        };
    }

    /// <summary>clientcmd inClusterClientConfig.Namespace: $POD_NAMESPACE, else the service account's namespace file, else "default".</summary>
    private static string Namespace(string directory, Func<string, string?> environment)
    {
        if (environment("POD_NAMESPACE") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        var file = Path.Combine(directory, "namespace");
        return File.Exists(file) && ConfigFileReader.ReadText(file, (reason, e) => Error($"namespace {file}", reason, e)).Trim() is { Length: > 0 } name
            ? name
            : "default";
    }

    private static KubeConfigException Error(string field, string reason, Exception? inner) =>
        KubeConfigException.Create($"in-cluster config: {field}: {reason}", inner);
}
