using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Lab.ApiServer;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Kubernetes.Tests.Lab;

/// <summary>A lab API server and a client connected to it over HTTPS with the lab's CA and admin token.</summary>
internal sealed class LabConnection : IAsyncDisposable
{
    private LabConnection(LabApiServer server, KubernetesApi client)
    {
        Server = server;
        Client = client;
    }

    public LabApiServer Server { get; }

    public KubernetesApi Client { get; }

    public static async Task<LabConnection> StartAsync(LabApiServerOptions? options = null, KubernetesClientOptions? clientOptions = null)
    {
        var server = await LabApiServer.StartAsync(options);
        return new LabConnection(server, Connect(server, clientOptions));
    }

    public static KubernetesApi Connect(LabApiServer server, KubernetesClientOptions? clientOptions = null)
    {
        var authority = server.CertificateAuthority;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(authority);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 c && chain.Build(c);
                },
            },
        };
        return new KubernetesApi(server.BaseAddress, new BearerHandler(server.AdminToken, handler), clientOptions);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    private sealed class BearerHandler(string token, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
