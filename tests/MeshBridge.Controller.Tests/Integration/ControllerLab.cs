using MeshBridge.Controller;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.Scenarios;
using MeshBridge.Testing;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Tests.Integration;

/// <summary>
/// The seed cluster in a lab API server (with the real NIC CRDs) and a controller that can be started and stopped. The
/// lab enforces RBAC with MeshBridge's install (deploy/overlays/egress-mtls, applied by the real kubectl), and the
/// controller runs as MeshBridge's own service account: every integration test is also a test of the shipped RBAC, and
/// <see cref="ConvergedAsync"/> fails on any request of MeshBridge's that was denied.
/// </summary>
internal sealed class ControllerLab : IAsyncDisposable
{
    private readonly DirectoryInfo directory;
    private CancellationTokenSource? stop;
    private Task? running;

    /// <summary>The user MeshBridge's service account authenticates as.</summary>
    public const string MeshBridgeUser = "system:serviceaccount:meshbridge-system:meshbridge";

    private ControllerLab(LabApiServer server, DirectoryInfo directory, string kubeconfig)
    {
        Server = server;
        this.directory = directory;
        Kubeconfig = kubeconfig;
        Client = NewClient();
        MeshBridgeKubeconfig = server.WriteServiceAccountKubeconfig(Path.Combine(directory.FullName, "meshbridge.kubeconfig"), "meshbridge-system", "meshbridge");
    }

    /// <summary>A kubeconfig with a token of MeshBridge's service account, as its pods get one.</summary>
    public string MeshBridgeKubeconfig { get; }

    public LabApiServer Server { get; }

    public string Kubeconfig { get; }

    public KubernetesApi Client { get; }

    public MeshController? Controller { get; private set; }

    public static async Task<ControllerLab> StartAsync()
    {
        var server = await LabApiServer.StartAsync(new LabApiServerOptions { EnforceRbac = true });
        LabScenarios.Load(server, "seed");
        foreach (var file in new[] { "k8s.nginx.org_virtualservers.yaml", "k8s.nginx.org_virtualserverroutes.yaml", "k8s.nginx.org_policies.yaml" })
        {
            server.InstallCustomResourceDefinitions(File.ReadAllText(TeamFolder.NicCrd(file)), file);
        }

        var directory = Directory.CreateTempSubdirectory("meshbridge-controller-");
        return new ControllerLab(server, directory, await InstallAsync(server, directory));
    }

    /// <summary>
    /// Installs deploy/overlays/egress-mtls into the lab as a user does, with the real <c>kubectl apply -k</c>; returns the
    /// admin kubeconfig written into <paramref name="directory"/>.
    /// </summary>
    public static async Task<string> InstallAsync(LabApiServer server, DirectoryInfo directory)
    {
        var kubeconfig = server.WriteKubeconfig(Path.Combine(directory.FullName, "kubeconfig"));
        var overlay = Path.Combine(TeamFolder.RepositoryRoot, "deploy", "overlays", "egress-mtls");
        var (exit, stdout, stderr) = await ChildProcess.RunAsync(
            KubectlPath.Kubectl, directory.FullName, ["--kubeconfig", kubeconfig, "apply", "-k", overlay], "kubectl 1.33", TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"kubectl apply -k {overlay} failed ({exit}):\n{stdout}\n{stderr}");
        return kubeconfig;
    }

    /// <summary>A client as MeshBridge: its service account, under the installed RBAC.</summary>
    public KubernetesApi NewMeshBridgeClient() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(MeshBridgeKubeconfig));

    /// <summary>Fails with the denied requests if any request of MeshBridge's was denied.</summary>
    public void AssertNothingDenied()
    {
        var denied = Server.Denials.Where(d => d.User == MeshBridgeUser).ToList();
        Assert.True(denied.Count == 0, "MeshBridge was denied under its installed RBAC: " + string.Join("; ", denied));
    }

    public KubernetesApi NewClient() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig));

    public void StartController(
        ControllerOptions? options = null, MeshBridge.Controller.Certificates.ICertificateSource? certificates = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        stop = new CancellationTokenSource();
        Controller = new MeshController(NewMeshBridgeClient(), options ?? new ControllerOptions(), certificates, null, loggerFactory);
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
                AssertNothingDenied();
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
