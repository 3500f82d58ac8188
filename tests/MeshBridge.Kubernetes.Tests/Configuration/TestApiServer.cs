using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>What the server saw of one request.</summary>
internal sealed record SeenRequest(string? Authorization, string? ClientCertificateSubject, string? ServerName, string Protocol, string Host, long BodyLength);

/// <summary>
/// A real Kestrel server on 127.0.0.1:0, plain HTTP or HTTPS (optionally requiring a client certificate from a CA),
/// that records each request and echoes it as JSON. <see cref="StatusFor"/> decides the status code.
/// </summary>
internal sealed class TestApiServer : IAsyncDisposable
{
    private const string ServerNameItem = "sni";

    private readonly WebApplication app;
    private readonly X509Certificate2? certificate;

    private TestApiServer(WebApplication app, Uri baseUri, X509Certificate2? certificate)
    {
        this.app = app;
        this.certificate = certificate;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>The status to answer a request with; 200 unless a test says otherwise.</summary>
    public Func<SeenRequest, int> StatusFor { get; set; } = _ => StatusCodes.Status200OK;

    public static Task<TestApiServer> StartHttpAsync() => StartAsync(null, null);

    /// <param name="serverCertificate">The certificate Kestrel presents; the server disposes it.</param>
    /// <param name="clientCertificateAuthority">When set, a client certificate issued by it is required.</param>
    public static async Task<TestApiServer> StartAsync(X509Certificate2? serverCertificate, TestCertificateAuthority? clientCertificateAuthority)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            if (serverCertificate is not null)
            {
                listen.UseHttps(https => ConfigureHttps(https, serverCertificate, clientCertificateAuthority));
            }
        }));
        var app = builder.Build();
        TestApiServer? server = null;
        app.Run(context => server!.RespondAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server = new TestApiServer(app, new Uri(address), serverCertificate);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        certificate?.Dispose();
    }

    private static void ConfigureHttps(HttpsConnectionAdapterOptions https, X509Certificate2 certificate, TestCertificateAuthority? clientAuthority)
    {
        // The selector sees the SNI the client sent; it is kept with the connection for the requests on it.
        https.ServerCertificateSelector = (connection, serverName) =>
        {
            connection!.Items[ServerNameItem] = serverName;
            return certificate;
        };
        if (clientAuthority is not null)
        {
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (client, _, _) => clientAuthority.Issued(client);
        }
    }

    private async Task RespondAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var seen = new SeenRequest(
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null,
            context.Connection.ClientCertificate?.Subject,
            context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ServerNameItem, out var sni) == true ? sni as string : null,
            context.Request.Protocol,
            context.Request.Host.Value ?? string.Empty,
            body.Length);
        Requests.Enqueue(seen);
        context.Response.StatusCode = StatusFor(seen);
        context.Response.ContentType = "application/json";
        var echo = new JsonObject
        {
            ["authorization"] = seen.Authorization,
            ["clientCertificate"] = seen.ClientCertificateSubject,
            ["serverName"] = seen.ServerName,
            ["protocol"] = seen.Protocol,
            ["host"] = seen.Host,
        };
        await context.Response.WriteAsync(echo.ToJsonString());
    }
}
