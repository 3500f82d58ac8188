using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// Where the API server is and how to authenticate to it, named like kubernetes-client's class of the same name.
/// Build one with <see cref="BuildDefaultConfig"/>, <see cref="BuildConfigFromConfigFile"/> or
/// <see cref="InClusterConfig"/>, then send requests relative to <see cref="BaseUri"/> through
/// <see cref="CreateHttpMessageHandler"/>:
/// <code>
/// var config = KubernetesClientConfiguration.BuildDefaultConfig();
/// using var http = new HttpClient(config.CreateHttpMessageHandler()) { BaseAddress = config.BaseUri };
/// </code>
/// </summary>
public sealed class KubernetesClientConfiguration
{
    /// <summary>The API server URL, e.g. <c>https://10.0.0.1:443</c>; it may carry a path prefix (a proxy's).</summary>
    public string? Host { get; set; }

    /// <summary>
    /// <see cref="Host"/> with a trailing '/', so a relative request URI such as <c>api/v1/pods</c> keeps a server path
    /// prefix (client-go's rest.Config Host may hold one).
    /// </summary>
    public Uri BaseUri
    {
        get
        {
            if (string.IsNullOrEmpty(Host) || !Uri.TryCreate(Host.EndsWith('/') ? Host : Host + "/", UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new KubeConfigException($"the API server address \"{Host}\" is not an https:// or http:// URL");
            }

            return uri;
        }
    }

    /// <summary>The context's namespace ("default" when it names none), or the pod's own in cluster.</summary>
    public string? Namespace { get; set; }

    /// <summary>The kubeconfig context this was built from; null in cluster.</summary>
    public string? CurrentContext { get; set; }

    /// <summary>The only CAs trusted for the server certificate when set; the system store otherwise.</summary>
    public X509Certificate2Collection? SslCaCerts { get; set; }

    /// <summary>Accept any server certificate (kubeconfig insecure-skip-tls-verify). Not with <see cref="SslCaCerts"/>.</summary>
    public bool SkipTlsVerify { get; set; }

    /// <summary>Sent as SNI and checked against the server certificate instead of the URL host (kubeconfig tls-server-name).</summary>
    public string? TlsServerName { get; set; }

    /// <summary>A client certificate with its private key.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>A bearer token (kubeconfig token, or the first read of <see cref="TokenFile"/>).</summary>
    public string? AccessToken { get; set; }

    /// <summary>A file holding the bearer token, re-read once a minute; wins over <see cref="AccessToken"/> once read.</summary>
    public string? TokenFile { get; set; }

    /// <summary>A credential plugin, used only when no token, token file or client certificate is set (as in client-go).</summary>
    public ExternalExecution? ExecCredential { get; set; }

    /// <summary>Overrides every other bearer credential source (kubernetes-client's TokenProvider).</summary>
    public ITokenProvider? TokenProvider { get; set; }

    /// <summary>The clock for token file refresh and exec credential expiry.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Loads kubeconfig with clientcmd's rules: <paramref name="kubeconfigPath"/> if given (it must exist), else the
    /// files listed in $KUBECONFIG merged (missing ones skipped), else ~/.kube/config; then the context
    /// <paramref name="currentContext"/> or current-context.
    /// </summary>
    /// <exception cref="KubeConfigException">The configuration cannot be used; the message names file, entry and field.</exception>
    public static KubernetesClientConfiguration BuildConfigFromConfigFile(
        string? kubeconfigPath = null, string? currentContext = null, TimeProvider? time = null) =>
        KubeConfigLoader.Load(kubeconfigPath, currentContext, time, Environment.GetEnvironmentVariable);

    /// <summary>
    /// controller-runtime's order (pkg/client/config GetConfig): $KUBECONFIG when set, else the in-cluster service
    /// account when <see cref="IsInCluster"/>, else ~/.kube/config.
    /// </summary>
    public static KubernetesClientConfiguration BuildDefaultConfig(TimeProvider? time = null) =>
        BuildDefaultConfig(time, InClusterConfigLoader.DefaultServiceAccountDirectory, Environment.GetEnvironmentVariable);

    /// <summary>True when KUBERNETES_SERVICE_HOST and _PORT are set and the service-account token exists.</summary>
    public static bool IsInCluster(string? serviceAccountDirectory = null) =>
        InClusterConfigLoader.IsInCluster(serviceAccountDirectory, Environment.GetEnvironmentVariable);

    /// <summary>
    /// The pod's service account: host from KUBERNETES_SERVICE_HOST/PORT, token, ca.crt and namespace from
    /// <paramref name="serviceAccountDirectory"/> (default /var/run/secrets/kubernetes.io/serviceaccount).
    /// </summary>
    public static KubernetesClientConfiguration InClusterConfig(string? serviceAccountDirectory = null, TimeProvider? time = null) =>
        InClusterConfigLoader.Load(serviceAccountDirectory, time, Environment.GetEnvironmentVariable);

    internal static KubernetesClientConfiguration BuildDefaultConfig(
        TimeProvider? time, string serviceAccountDirectory, Func<string, string?> environment)
    {
        if (string.IsNullOrEmpty(environment("KUBECONFIG")) && InClusterConfigLoader.IsInCluster(serviceAccountDirectory, environment))
        {
            return InClusterConfigLoader.Load(serviceAccountDirectory, time, environment);
        }

        return KubeConfigLoader.Load(kubeconfigPath: null, currentContext: null, time, environment);
    }

    /// <summary>
    /// The handler for requests to <see cref="BaseUri"/>: TLS as configured, the client certificate (or the exec
    /// plugin's), and <c>Authorization: Bearer</c> from the token, token file or exec plugin. Each call builds a new
    /// connection pool; keep one handler (or HttpClient) per configuration.
    /// </summary>
    public HttpMessageHandler CreateHttpMessageHandler()
    {
        _ = BaseUri;
        if (SkipTlsVerify && SslCaCerts is { Count: > 0 })
        {
            // client-go's transport refuses this combination too.
            throw new KubeConfigException("SkipTlsVerify and SslCaCerts are both set; a CA is pointless when the server certificate is not verified");
        }

        var (tokens, certificate) = ResolveCredentials();
        var transport = new KubernetesTransportHandler(new TlsSettings(SslCaCerts is null ? null : [.. SslCaCerts], SkipTlsVerify, TlsServerName), certificate);
        return tokens is null ? transport : new BearerTokenHandler(tokens, transport);
    }

    /// <summary>
    /// client-go's precedence: a token or client certificate in the configuration wins over the exec plugin
    /// (exec.go UpdateTransportConfig), and a token file wins over the token read from it
    /// (transport.NewBearerAuthWithRefreshRoundTripper).
    /// </summary>
    private (ITokenProvider? Tokens, Func<X509Certificate2?> Certificate) ResolveCredentials()
    {
        var certificate = ClientCertificate;
        if (TokenProvider is not null)
        {
            return (TokenProvider, () => certificate);
        }

        if (!string.IsNullOrEmpty(TokenFile))
        {
            return (new TokenFileProvider(TokenFile, TimeProvider, AccessToken), () => certificate);
        }

        if (!string.IsNullOrEmpty(AccessToken))
        {
            return (new StaticTokenProvider(AccessToken), () => certificate);
        }

        if (certificate is null && ExecCredential is not null)
        {
            var exec = new ExecCredentialProvider(ExecCredential, ExecClusterInfo(), TimeProvider);
            return (exec, () => exec.ClientCertificate);
        }

        return (null, () => certificate);
    }

    /// <summary>The KUBERNETES_EXEC_INFO <c>spec.cluster</c> (clientauthentication/v1 Cluster), built like client-go's ConfigToExecCluster.</summary>
    internal JsonObject ExecClusterInfo()
    {
        var cluster = new JsonObject { ["server"] = Host };
        if (TlsServerName is not null)
        {
            cluster["tls-server-name"] = TlsServerName;
        }

        if (SkipTlsVerify)
        {
            cluster["insecure-skip-tls-verify"] = true;
        }

        if (SslCaCerts is { Count: > 0 } authorities)
        {
            var pem = string.Concat(authorities.Select(c => c.ExportCertificatePem() + "\n"));
            cluster["certificate-authority-data"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
        }

        if (ExecCredential?.ClusterConfig is { } config)
        {
            cluster["config"] = config.DeepClone();
        }

        return cluster;
    }
}
