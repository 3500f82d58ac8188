using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Kubernetes.Tests.Lab;

/// <summary>
/// A lab API server and a client connected to it the way a user connects: through the kubeconfig file the lab
/// writes (its CA, its admin token), loaded by <see cref="KubernetesClientConfiguration"/>.
/// </summary>
internal sealed class LabConnection : IAsyncDisposable
{
    private readonly DirectoryInfo directory;

    private LabConnection(LabApiServer server, DirectoryInfo directory, KubernetesClientOptions? clientOptions)
    {
        Server = server;
        this.directory = directory;
        KubeconfigPath = server.WriteKubeconfig(Path.Combine(directory.FullName, "kubeconfig"));
        Client = Connect(clientOptions);
    }

    public LabApiServer Server { get; }

    public string KubeconfigPath { get; }

    public KubernetesApi Client { get; }

    public static async Task<LabConnection> StartAsync(LabApiServerOptions? options = null, KubernetesClientOptions? clientOptions = null)
    {
        var server = await LabApiServer.StartAsync(options);
        return new LabConnection(server, Directory.CreateTempSubdirectory("meshbridge-client-"), clientOptions);
    }

    /// <summary>Another client for the same lab (a second controller replica, say).</summary>
    public KubernetesApi Connect(KubernetesClientOptions? clientOptions = null) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath), clientOptions);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        directory.Delete(recursive: true);
    }
}
