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

    /// <summary>The real NIC CRDs are fidelity data from the team folder beside the repository; never copied in.</summary>
    public static string SharedCrd(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MeshBridge.sln")))
            {
                var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "crds", "nic", file));
                return File.Exists(path)
                    ? path
                    : throw new FileNotFoundException($"The NIC CRD {file} was not found at {path}: the lab tests install the real NIC v5.5.4 CRDs from ../shared/crds/nic beside the repository.");
            }
        }

        throw new InvalidOperationException("MeshBridge.sln not found above the test binaries");
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        directory.Delete(recursive: true);
    }
}
