using MeshBridge.Controller;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.Scenarios;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Tests.Integration;

/// <summary>The seed cluster in a lab API server (with the real NIC CRDs) and a controller that can be started and stopped.</summary>
internal sealed class ControllerLab : IAsyncDisposable
{
    private readonly DirectoryInfo directory;
    private CancellationTokenSource? stop;
    private Task? running;

    private ControllerLab(LabApiServer server, DirectoryInfo directory)
    {
        Server = server;
        this.directory = directory;
        Kubeconfig = server.WriteKubeconfig(Path.Combine(directory.FullName, "kubeconfig"));
        Client = NewClient();
    }

    public LabApiServer Server { get; }

    public string Kubeconfig { get; }

    public KubernetesApi Client { get; }

    public MeshController? Controller { get; private set; }

    public static async Task<ControllerLab> StartAsync()
    {
        var server = await LabApiServer.StartAsync();
        LabScenarios.Load(server, "seed");
        foreach (var file in new[] { "k8s.nginx.org_virtualservers.yaml", "k8s.nginx.org_virtualserverroutes.yaml", "k8s.nginx.org_policies.yaml" })
        {
            server.InstallCustomResourceDefinitions(File.ReadAllText(TeamFolder.NicCrd(file)), file);
        }

        return new ControllerLab(server, Directory.CreateTempSubdirectory("meshbridge-controller-"));
    }

    public KubernetesApi NewClient() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig));

    public void StartController(
        ControllerOptions? options = null, MeshBridge.Controller.Certificates.ICertificateSource? certificates = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        stop = new CancellationTokenSource();
        Controller = new MeshController(NewClient(), options ?? new ControllerOptions(), certificates, null, loggerFactory);
        running = Task.Run(() => Controller.RunAsync(stop.Token));
    }

    /// <summary>Waits until the controller has synced and has nothing left to do.</summary>
    public async Task ConvergedAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var quietSince = DateTime.UtcNow;
        while (true)
        {
            if (running is { IsFaulted: true })
            {
                await running;
            }

            if (!Controller!.HasSynced || Controller.Pending > 0)
            {
                quietSince = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - quietSince > TimeSpan.FromMilliseconds(500))
            {
                return;
            }

            await Task.Delay(25, deadline.Token);
        }
    }

    public async Task StopControllerAsync()
    {
        await stop!.CancelAsync();
        await running!.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (running is { IsCompleted: false })
        {
            await StopControllerAsync();
        }

        Client.Dispose();
        await Server.DisposeAsync();
        directory.Delete(recursive: true);
    }
}
