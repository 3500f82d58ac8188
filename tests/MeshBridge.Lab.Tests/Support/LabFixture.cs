using MeshBridge.Lab.ApiServer;

namespace MeshBridge.Lab.Tests.Support;

/// <summary>A lab API server with the real NIC CRDs from ../shared installed, a kubeconfig on disk and a kubectl for it.</summary>
internal sealed class LabFixture : IAsyncDisposable
{
    private readonly DirectoryInfo directory;

    private LabFixture(LabApiServer server, DirectoryInfo directory)
    {
        Server = server;
        this.directory = directory;
        KubeconfigPath = server.WriteKubeconfig(Path.Combine(directory.FullName, "kubeconfig"));
        Kubectl = new Kubectl(KubeconfigPath, Path.Combine(directory.FullName, "cache"));
    }

    public LabApiServer Server { get; }

    public string KubeconfigPath { get; }

    public Kubectl Kubectl { get; }

    public string Directory => directory.FullName;

    public static async Task<LabFixture> StartAsync(LabApiServerOptions? options = null)
    {
        var server = await LabApiServer.StartAsync(options);
        foreach (var file in new[] { "k8s.nginx.org_virtualservers.yaml", "k8s.nginx.org_virtualserverroutes.yaml", "k8s.nginx.org_policies.yaml" })
        {
            server.InstallCustomResourceDefinitions(File.ReadAllText(SharedCrd(file)), file);
        }

        return new LabFixture(server, System.IO.Directory.CreateTempSubdirectory("meshbridge-lab-"));
    }

    public static string SharedCrd(string file) => TeamFolder.NicCrd(file);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        directory.Delete(recursive: true);
    }
}
