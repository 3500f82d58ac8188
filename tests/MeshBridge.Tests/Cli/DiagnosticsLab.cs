using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Cli;
using MeshBridge.Cli.Lab;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.Scenarios;
using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Cli;

/// <summary>
/// The seed cluster in an in-process lab API server, optionally after MeshBridge has converged on it (the controller
/// and the lab Istio CA run as <c>meshbridge lab --exit-when-converged</c> runs them, then stop, leaving the meshed
/// state behind), and helpers that break it the ways describe and doctor must notice.
/// </summary>
internal sealed class DiagnosticsLab : IAsyncDisposable
{
    public const string Namespace = "demo-meshed";
    public const string EgressServer = "nic.example.com";
    public const string SidecarServer = "nic-meshed.example.com";
    public const string NicSpiffeId = "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress";
    public const string TlsSecret = "meshbridge-mtls.nginx-ingress.nginx-ingress.tls";

    private readonly DirectoryInfo directory;

    private DiagnosticsLab(LabApiServer server, DirectoryInfo directory)
    {
        Server = server;
        this.directory = directory;
        Kubeconfig = server.WriteKubeconfig(Path.Combine(directory.FullName, "kubeconfig"));
    }

    public LabApiServer Server { get; }

    public string Kubeconfig { get; }

    public static async Task<DiagnosticsLab> StartAsync(bool converged, bool enforceRbac = false)
    {
        var server = await LabApiServer.StartAsync(new LabApiServerOptions { EnforceRbac = enforceRbac });
        LabScenarios.Load(server, "seed");
        var lab = new DiagnosticsLab(server, Directory.CreateTempSubdirectory("meshbridge-describe-"));
        if (converged)
        {
            var output = new StringWriter();
            var session = new LabSession(server, lab.Kubeconfig, new CliConsole(TextReader.Null, output, output)) { ExitWhenConverged = true };
            var exit = await session.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(exit == 0, output.ToString());
        }

        return lab;
    }

    public Task<CliRun> RunAsync(params string[] args) => Task.Run(() => CliRun.Invoke([.. args, "--kubeconfig", Kubeconfig])).WaitAsync(TimeSpan.FromMinutes(1));

    public Task<CliRun> DescribeAsync(string name, params string[] args) => RunAsync(["describe", "virtualserver", name, "-n", Namespace, .. args]);

    /// <summary>Changes a stored object in place, as a user's kubectl edit would.</summary>
    public void Edit(string resource, string ns, string name, Action<JsonObject> edit)
    {
        var key = new StoreKey(resource, ns, name);
        var obj = Server.Store.Get(key) ?? throw new InvalidOperationException($"{resource} {ns}/{name} is not in the lab");
        edit(obj);
        Server.Store.Update(key, obj, hasGeneration: resource.StartsWith("apps/", StringComparison.Ordinal) || resource.StartsWith("k8s.nginx.org/", StringComparison.Ordinal));
    }

    /// <summary>A namespace-wide PERMISSIVE PeerAuthentication <c>default</c> in the backend's namespace.</summary>
    public void MakeBackendPermissive() => Create("""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: default
          namespace: demo-meshed
        spec:
          mtls:
            mode: PERMISSIVE
        """);

    public void Create(string yaml)
    {
        foreach (var document in MeshBridge.Manifests.ManifestReader.Read(yaml, "test").Where(d => d.Node is JsonObject))
        {
            Server.Seed((JsonObject)document.Node!);
        }
    }

    /// <summary>A leaf for <paramref name="spiffeId"/> valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>, as PEM.</summary>
    public static string LeafPem(string spiffeId, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(string.Empty, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(san.Build(critical: true));
        using var leaf = request.CreateSelfSigned(notBefore, notAfter);
        return leaf.ExportCertificatePem() + "\n";
    }

    public static string Base64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        directory.Delete(recursive: true);
    }
}
