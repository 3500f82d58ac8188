using System.Net;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using MeshBridge.Grpc;
using MeshBridge.Protos.Istio;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshBridge.Lab.IstioCa;

/// <summary>
/// A lab stand-in for istiod's CA (or cert-manager istio-csr): <c>IstioCertificateService/CreateCertificate</c> over
/// HTTP/2 and TLS on loopback, authenticating callers through a real TokenReview and signing with its own mesh root.
/// MeshBridge's certificate controller talks to it exactly as to istiod on :15012, so its whole path (token, CSR,
/// gRPC, chain verification, rotation) runs in tests and demos without a cluster. Nothing it logs carries a token
/// or key: it logs nothing.
/// </summary>
public sealed class LabIstioCa : IAsyncDisposable
{
    /// <summary>The gRPC path of the one method served.</summary>
    public const string CreateCertificatePath = "/istio.v1.auth.IstioCertificateService/CreateCertificate";

    /// <summary>The name clients validate the serving certificate against (reference/istio.md §3).</summary>
    public const string ServerName = "istiod.istio-system.svc";

    /// <summary>istiod's message for every authentication failure, whatever the cause.</summary>
    public const string AuthenticationFailure = "request authenticate failure";

    private readonly WebApplication _app;
    private readonly MeshRootAuthority _root;
    private readonly MeshRootAuthority _otherRoot;
    private readonly X509Certificate2 _serving;
    private readonly TokenReviewAuthenticator _authenticator;
    private readonly CertificateIssuer _issuer;
    private readonly List<MeshRootAuthority> _rotatedRoots = [];

    private LabIstioCa(WebApplication app, IstioCaOptions options, MeshRootAuthority root, MeshRootAuthority otherRoot, X509Certificate2 serving, TokenReviewAuthenticator authenticator)
    {
        _app = app;
        _root = root;
        _otherRoot = otherRoot;
        _serving = serving;
        _authenticator = authenticator;
        Options = options;
        _issuer = new CertificateIssuer(options, root, otherRoot, Faults);
        RootCertificate = X509CertificateLoader.LoadCertificate(root.Certificate.RawData);
    }

    public IstioCaOptions Options { get; }

    /// <summary>Faults to switch on and off while the CA runs.</summary>
    public IstioCaFaults Faults { get; } = new();

    /// <summary>The mesh root (without its key): what clients trust.</summary>
    public X509Certificate2 RootCertificate { get; }

    /// <summary>The mesh root as PEM: <c>root-cert.pem</c> of the <c>istio-ca-root-cert</c> ConfigMap.</summary>
    public string RootCertificatePem => _root.Pem;

    /// <summary>
    /// What <c>istio-ca-root-cert</c> holds: the mesh root, and after <see cref="RotateRoot"/> every root since (the
    /// old ones stay trusted while workloads move to the new one).
    /// </summary>
    public string RootBundlePem => string.Concat(_rotatedRoots.Select(r => r.Pem).Prepend(_root.Pem));

    /// <summary>The root leaves are signed with now: the mesh root, or the newest from <see cref="RotateRoot"/>.</summary>
    public X509Certificate2 SigningRoot => _issuer.Root.Certificate;

    /// <summary>
    /// A root rotation, as with a plugged-in CA's new root: from now on leaves are signed with a new root. The serving
    /// certificate stays on the first root, so publish <see cref="RootBundlePem"/> (both) for clients to keep trusting it.
    /// </summary>
    public void RotateRoot()
    {
        var next = MeshRootAuthority.Generate($"{Options.TrustDomain} (rotated {_rotatedRoots.Count + 1})", Options.Time);
        _rotatedRoots.Add(next);
        _issuer.Root = next;
    }

    /// <summary>The loopback port the CA listens on.</summary>
    public int Port { get; private set; }

    /// <summary><c>https://127.0.0.1:&lt;port&gt;</c>; validate the server as <see cref="ServerName"/>.</summary>
    public Uri Address => new($"https://127.0.0.1:{Port}");

    /// <summary>The DNS names of the serving certificate.</summary>
    public IReadOnlyList<string> ServingNames { get; private init; } = [];

    /// <summary>Certificates issued so far per caller identity (one CSR per identity per rotation is checked with it).</summary>
    public IReadOnlyDictionary<string, int> IssuedCertificates => _issuer.Issued;

    /// <summary>Starts the CA; <paramref name="authenticator"/> reviews the callers' tokens.</summary>
    public static async Task<LabIstioCa> StartAsync(TokenReviewAuthenticator authenticator, IstioCaOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new IstioCaOptions();
        var root = options.Root is { } given ? MeshRootAuthority.Use(given) : MeshRootAuthority.Generate(options.TrustDomain, options.Time);
        var otherRoot = MeshRootAuthority.Generate($"{options.TrustDomain} (untrusted)", options.Time);
        string[] names = ["istiod.istio-system.svc", "istiod-remote.istio-system.svc", "istio-pilot.istio-system.svc"];
        if (!string.IsNullOrEmpty(options.Revision) && options.Revision != "default")
        {
            names = [.. names, $"istiod-{options.Revision}.istio-system.svc"];
        }

        var serving = root.IssueServing(names, options.Time);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(serving);
        }));
        var app = builder.Build();
        var ca = new LabIstioCa(app, options, root, otherRoot, serving, authenticator) { ServingNames = names };
        app.Run(ca.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        ca.Port = new Uri(address).Port;
        return ca;
    }

    /// <summary>How many certificates were issued to <paramref name="spiffeId"/> (the caller's identity).</summary>
    public int IssuedCount(string spiffeId) => _issuer.IssuedFor(spiffeId);

    /// <summary>The SPIFFE ID istiod gives a service account.</summary>
    public string SpiffeId(string ns, string serviceAccount) => $"spiffe://{Options.TrustDomain}/ns/{ns}/sa/{serviceAccount}";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _serving.Dispose();
        RootCertificate.Dispose();
        _root.Dispose();
        _otherRoot.Dispose();
        foreach (var rotated in _rotatedRoots)
        {
            rotated.Dispose();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        if (!GrpcServerFraming.SupportsTrailers(context)
            || !(context.Request.ContentType ?? string.Empty).StartsWith(GrpcServerFraming.ContentType, StringComparison.Ordinal))
        {
            // Not a gRPC request at all: answer as HTTP, as grpc-go does (415 for a wrong content type).
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        try
        {
            if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path.Value != CreateCertificatePath)
            {
                throw new IstioCaStatusException(StatusCode.Unimplemented, $"unknown method {context.Request.Path.Value}");
            }

            var response = await CreateCertificateAsync(context, aborted).ConfigureAwait(false);
            await GrpcServerFraming.WriteUnaryResponseAsync(context.Response, response.ToByteArray(), aborted).ConfigureAwait(false);
        }
        catch (IstioCaStatusException status)
        {
            GrpcServerFraming.WriteStatus(context.Response, status.Code, status.Message);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client gave up (deadline or cancel) and reset the stream; nobody reads an answer.
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // A lab bug still ends the call the way a Go server's unexpected error does, without leaking details.
            GrpcServerFraming.WriteStatus(context.Response, StatusCode.Internal, $"lab CA error: {error.GetType().Name}");
        }
    }

    private async Task<IstioCertificateResponse> CreateCertificateAsync(HttpContext context, CancellationToken aborted)
    {
        var fault = Faults.Current;
        if (fault.Delay is { } delay)
        {
            await Task.Delay(delay, Options.Time, aborted).ConfigureAwait(false);
        }

        if (fault.Unavailable)
        {
            throw new IstioCaStatusException(StatusCode.Unavailable, "lab CA unavailable (injected fault)");
        }

        var identity = await AuthenticateAsync(context.Request, aborted).ConfigureAwait(false);
        var body = await GrpcServerFraming.ReadUnaryRequestAsync(context.Request, aborted).ConfigureAwait(false);
        IstioCertificateRequest request;
        try
        {
            request = IstioCertificateRequest.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new IstioCaStatusException(StatusCode.Internal, "grpc: error unmarshalling request");
        }

        return _issuer.Issue(identity, request);
    }

    /// <summary>kube_jwt.go: <c>authorization: Bearer &lt;jwt&gt;</c>, reviewed for the CA's audiences.</summary>
    private async Task<string> AuthenticateAsync(HttpRequest request, CancellationToken aborted)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) && header["Bearer ".Length..].Trim() is { Length: > 0 } token
            && await _authenticator.AuthenticateAsync(token, aborted).ConfigureAwait(false) is { } account)
        {
            return SpiffeId(account.Namespace, account.ServiceAccount);
        }

        throw new IstioCaStatusException(StatusCode.Unauthenticated, AuthenticationFailure);
    }
}
