using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// A kubeconfig <c>users[].user.exec</c> section: a client-go credential plugin (clientcmd/api ExecConfig), named like
/// kubernetes-client's <c>ExternalExecution</c>. Run by <see cref="ExecCredentialProvider"/>.
/// </summary>
public sealed record ExternalExecution
{
    /// <summary>The only versions client-go still accepts (v1alpha1 was removed in v1.24).</summary>
    public const string V1 = "client.authentication.k8s.io/v1";

    public const string V1Beta1 = "client.authentication.k8s.io/v1beta1";

    /// <summary><c>client.authentication.k8s.io/v1</c> or <c>v1beta1</c>; the plugin must answer in the same version.</summary>
    public required string ApiVersion { get; init; }

    /// <summary>The executable: a bare name is looked up on PATH, a path with '/' was resolved against its kubeconfig.</summary>
    public required string Command { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Added to this process's environment, in order (a later duplicate name wins, as with Go's exec.Cmd).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables { get; init; } = [];

    /// <summary>Shown when the command cannot be found.</summary>
    public string? InstallHint { get; init; }

    /// <summary>Pass the cluster (server, CA, <see cref="ClusterConfig"/>) in KUBERNETES_EXEC_INFO.</summary>
    public bool ProvideClusterInfo { get; init; }

    /// <summary>Never, IfAvailable or Always. MeshBridge never has a terminal, so Always fails when the plugin would run.</summary>
    public string InteractiveMode { get; init; } = "IfAvailable";

    /// <summary>The cluster's <c>client.authentication.k8s.io/exec</c> extension, sent as <c>spec.cluster.config</c>.</summary>
    public JsonNode? ClusterConfig { get; init; }

    /// <summary>Where this came from (<c>kubeconfig /path: user "dev"</c>), to prefix plugin errors; null when built in code.</summary>
    public string? Origin { get; init; }
}
