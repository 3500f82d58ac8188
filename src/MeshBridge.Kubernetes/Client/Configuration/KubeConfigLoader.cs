using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// Turns kubeconfig files into a <see cref="KubernetesClientConfiguration"/> the way clientcmd does
/// (loader.go ClientConfigLoadingRules, client_config.go DirectClientConfig): find the files, merge them, pick the
/// context, then read its cluster and user.
/// </summary>
internal static class KubeConfigLoader
{
    /// <summary>The cluster extension an exec plugin receives as <c>spec.cluster.config</c> (client-go exec.go).</summary>
    private const string ExecExtensionName = "client.authentication.k8s.io/exec";

    public static KubernetesClientConfiguration Load(
        string? kubeconfigPath, string? currentContext, TimeProvider? time, Func<string, string?> environment)
    {
        var merged = !string.IsNullOrEmpty(kubeconfigPath)
            ? MergedKubeConfig.Load([kubeconfigPath], missingIsError: true)
            : MergedKubeConfig.Load(DefaultPaths(environment), missingIsError: false);
        if (merged.Files.Count == 0)
        {
            throw new KubeConfigException($"no kubeconfig found: none of {string.Join(Path.PathSeparator, DefaultPaths(environment))} exists");
        }

        return FromContext(merged, currentContext, time ?? TimeProvider.System);
    }

    /// <summary>
    /// $KUBECONFIG split on ':' (empty entries dropped, duplicates once), else ~/.kube/config with ~ from $HOME, as
    /// clientcmd's NewDefaultClientConfigLoadingRules.
    /// </summary>
    public static IReadOnlyList<string> DefaultPaths(Func<string, string?> environment)
    {
        if (environment("KUBECONFIG") is { Length: > 0 } list)
        {
            return list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        }

        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return [Path.Combine(home, ".kube", "config")];
    }

    private static KubernetesClientConfiguration FromContext(MergedKubeConfig merged, string? requested, TimeProvider time)
    {
        var contextName = string.IsNullOrEmpty(requested) ? merged.CurrentContext : requested;
        if (contextName is null)
        {
            throw new KubeConfigException($"kubeconfig {merged.Description}: no context selected: current-context is not set and no context was given");
        }

        if (!merged.Contexts.TryGetValue(contextName, out var context))
        {
            throw new KubeConfigException($"kubeconfig {merged.Description}: context \"{contextName}\" not found");
        }

        var clusterName = context.String("cluster") ?? throw context.Error("cluster", "not set");
        if (!merged.Clusters.TryGetValue(clusterName, out var cluster))
        {
            throw context.Error($"cluster \"{clusterName}\" not found");
        }

        // A context without a user is anonymous in clientcmd; a named user must exist.
        KubeConfigSection? user = null;
        if (context.String("user") is { } userName && !merged.Users.TryGetValue(userName, out user))
        {
            throw context.Error($"user \"{userName}\" not found");
        }

        var configuration = new KubernetesClientConfiguration
        {
            CurrentContext = contextName,
            Namespace = context.String("namespace") ?? "default",
            TimeProvider = time,
        };
        var execExtension = ReadCluster(cluster, configuration);

        // client_config.go reads user credentials "only if we are secure": a plain http:// server gets none, so a
        // token is never sent in clear text.
        if (user is not null && configuration.BaseUri.Scheme == Uri.UriSchemeHttps)
        {
            KubeConfigUserReader.Read(user, configuration, execExtension);
        }

        return configuration;
    }

    /// <summary>Fills server and TLS settings; returns the cluster's exec extension, if any.</summary>
    private static JsonNode? ReadCluster(KubeConfigSection cluster, KubernetesClientConfiguration configuration)
    {
        var server = cluster.String("server") ?? throw cluster.Error("server", "not set (client-go: cluster has no server defined)");
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            // kubectl would guess http:// for a bare host:port and then send no credentials; refusing is clearer.
            throw cluster.Error("server", $"\"{server}\" is not an https:// or http:// URL");
        }

        configuration.Host = server;
        configuration.SkipTlsVerify = cluster.Bool("insecure-skip-tls-verify");
        configuration.TlsServerName = cluster.String("tls-server-name");
        configuration.SslCaCerts = ReadCertificateAuthority(cluster, configuration.SkipTlsVerify);

        // proxy-url is ignored: MeshBridge dials the API server directly (see KubernetesTransportHandler).
        return FindExtension(cluster, ExecExtensionName);
    }

    private static X509Certificate2Collection? ReadCertificateAuthority(
        KubeConfigSection cluster, bool insecure)
    {
        var file = cluster.FilePath("certificate-authority");
        var data = cluster.Base64("certificate-authority-data");
        if (file is not null && data is not null)
        {
            // clientcmd validation.go rejects this rather than silently preferring the data.
            throw cluster.Error("certificate-authority-data and certificate-authority are both specified; keep one");
        }

        if (insecure && (file is not null || data is not null))
        {
            throw cluster.Error("insecure-skip-tls-verify", "specifying a root certificates file with the insecure flag is not allowed (client-go refuses it too)");
        }

        if (file is not null)
        {
            return PemCredentials.CertificateAuthorities(cluster.ReadFile("certificate-authority", file), $"certificate-authority {file}", FieldError(cluster));
        }

        return data is null ? null
            : PemCredentials.CertificateAuthorities(Encoding.ASCII.GetString(data), "certificate-authority-data", FieldError(cluster));
    }

    private static JsonNode? FindExtension(KubeConfigSection cluster, string name)
    {
        foreach (var item in cluster.Array("extensions") ?? [])
        {
            if (item is JsonObject named && named["name"]?.GetValueKind() == JsonValueKind.String
                && named["name"]!.GetValue<string>() == name)
            {
                return named["extension"]?.DeepClone();
            }
        }

        return null;
    }

    internal static PemCredentials.FieldError FieldError(KubeConfigSection section) =>
        (field, reason, inner) => section.Error(field, reason, inner);
}
