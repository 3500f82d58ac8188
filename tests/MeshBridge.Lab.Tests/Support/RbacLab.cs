using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using MeshBridge.Lab.ApiServer;

namespace MeshBridge.Lab.Tests.Support;

/// <summary>
/// A lab with <see cref="LabApiServerOptions.EnforceRbac"/> on, namespaces <c>nginx-ingress</c> and <c>other</c>, and
/// service accounts <c>nginx-ingress/nginx-ingress</c>, <c>nginx-ingress/meshbridge</c> and <c>other/outsider</c>
/// created by the admin with kubectl; <see cref="As"/> gives a kubectl that runs as one of them.
/// </summary>
internal sealed class RbacLab : IAsyncDisposable
{
    public const string MeshBridge = "system:serviceaccount:nginx-ingress:meshbridge";

    private const string Accounts = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: nginx-ingress}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: other}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: nginx-ingress, namespace: nginx-ingress}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: meshbridge, namespace: nginx-ingress}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: outsider, namespace: other}
        """;

    private RbacLab(LabFixture lab)
    {
        Lab = lab;
    }

    public LabFixture Lab { get; }

    public LabApiServer Server => Lab.Server;

    /// <summary>kubectl as the lab admin (system:masters).</summary>
    public Kubectl Admin => Lab.Kubectl;

    public static async Task<RbacLab> StartAsync(bool enforceRbac = true)
    {
        var lab = await LabFixture.StartAsync(new LabApiServerOptions { EnforceRbac = enforceRbac });
        (await lab.Kubectl.RunWithInputAsync(Accounts, "apply", "-f", "-")).Succeeded();
        return new RbacLab(lab);
    }

    /// <summary>Applies manifests as the admin.</summary>
    public async Task ApplyAsync(string yaml) => (await Admin.RunWithInputAsync(yaml, "apply", "-f", "-")).Succeeded();

    /// <summary>kubectl with a kubeconfig holding a TokenRequest-issued token of <paramref name="ns"/>/<paramref name="serviceAccount"/>.</summary>
    public Kubectl As(string ns, string serviceAccount)
    {
        var directory = Path.Combine(Lab.Directory, $"{ns}-{serviceAccount}");
        var kubeconfig = Server.WriteServiceAccountKubeconfig(Path.Combine(directory, "kubeconfig"), ns, serviceAccount);
        return new Kubectl(kubeconfig, Path.Combine(directory, "cache"));
    }

    /// <summary>An HTTP client trusting the lab's CA and sending <paramref name="token"/>.</summary>
    public HttpClient Client(string token)
    {
        var authority = X509CertificateLoader.LoadCertificate(Server.CertificateAuthority.RawData);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                return certificate is not null && chain.Build(certificate);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = Server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync() => await Lab.DisposeAsync();
}
