using System.Collections.Concurrent;
using System.Text.Json;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Lab.ApiServer.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshBridge.Lab.Tests.Auth;

/// <summary>
/// The TokenRequest endpoint of a fake API server on Kestrel: it records each body as kubectl sent it, then answers
/// with the issuer's token (201 JSON) or its Status, as kube-apiserver would.
/// </summary>
internal sealed class TokenEndpointFake : IAsyncDisposable
{
    public const string ServiceAccountUid = "0f9a6c1e-3d7b-4f51-9a0e-6c2d8b1e4a77";

    private readonly WebApplication _app;

    private TokenEndpointFake(WebApplication app, ServiceAccountTokenIssuer issuer)
    {
        _app = app;
        Issuer = issuer;
    }

    public ServiceAccountTokenIssuer Issuer { get; }

    public ConcurrentQueue<Exchange> Exchanges { get; } = new();

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1");

    public static async Task<TokenEndpointFake> StartAsync(ServiceAccountTokenIssuer issuer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new TokenEndpointFake(app, issuer);
        app.MapPost("/api/v1/namespaces/{ns}/serviceaccounts/{name}/token", fake.HandleAsync);
        app.MapFallback((HttpContext context) =>
        {
            fake.Exchanges.Enqueue(new Exchange($"{context.Request.Method} {context.Request.Path}", context.Request.ContentType, [], null));
            return Results.NotFound();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.BaseAddress = new Uri(address);
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, string ns, string name)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var bytes = body.ToArray();
        var contentType = context.Request.ContentType;
        var request = contentType == TokenRequestProtobuf.ContentType ? TokenRequestProtobuf.Decode(bytes) : TokenRequestJson.Parse(bytes);
        var serviceAccount = new ServiceAccountReference(ns, name, ServiceAccountUid);
        var result = Issuer.Issue(serviceAccount, request.Spec);
        Exchanges.Enqueue(new Exchange($"POST {context.Request.Path}", contentType, bytes, result));

        context.Response.ContentType = "application/json";
        if (result.Failure is { } status)
        {
            context.Response.StatusCode = status.Code ?? 500;
            await context.Response.WriteAsync(JsonSerializer.Serialize(status, KubernetesJsonContext.Default.V1Status));
            return;
        }

        context.Response.StatusCode = StatusCodes.Status201Created;
        await context.Response.WriteAsync(TokenRequestJson.BuildReply(request, serviceAccount, result));
    }

    /// <summary>One request as it arrived, and what the issuer made of it.</summary>
    public sealed record Exchange(string Request, string? ContentType, byte[] Body, TokenIssueResult? Result);
}
