using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Manifests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshBridge.Lab.ApiServer;

/// <summary>
/// An in-process Kubernetes API server for tests and demos, faithful enough that the real kubectl accepts it
/// (reference/kube-api.md). HTTPS with its own CA on loopback, HTTP/1.1 and HTTP/2, legacy discovery, a minimal
/// OpenAPI v3, the verbs with the API server's storage and error semantics, CRDs with structural-schema pruning and
/// validation, both Event APIs over one store, fault injection and request counters. What it does not emulate is
/// listed in the README.
/// </summary>
public sealed partial class LabApiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly LabCertificates certificates;
    private readonly ResourceEndpoint endpoint;

    private LabApiServer(WebApplication app, LabCertificates certificates, LabApiServerOptions options)
    {
        this.app = app;
        this.certificates = certificates;
        Options = options;
        Time = options.Time;
        Store = new ObjectStore(options.Time, options.HistoryLimit);
        Catalog = new ResourceCatalog();
        Faults = options.Faults;
        AdminToken = options.AdminToken ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        Tokens = new Auth.ServiceAccountTokenIssuer(options.Time);
        endpoint = new ResourceEndpoint(Store, Catalog, options.Time, options, Tokens);
        Rbac = new Auth.RbacAuthorizer(Store);
    }

    public LabApiServerOptions Options { get; }

    public TimeProvider Time { get; }

    public ObjectStore Store { get; }

    public ResourceCatalog Catalog { get; }

    public FaultInjector Faults { get; }

    public RequestCounters Counters { get; } = new();

    /// <summary>The cluster-admin bearer token of the kubeconfig the lab writes. Never logged.</summary>
    public string AdminToken { get; }

    public Uri BaseAddress { get; private set; } = new("https://127.0.0.1/");

    public string CertificateAuthorityPem => certificates.AuthorityPem;

    public System.Security.Cryptography.X509Certificates.X509Certificate2 CertificateAuthority => certificates.Authority;

    /// <summary>Signs the service-account tokens the lab issues (TokenRequest) and reviews them (TokenReview).</summary>
    public Auth.ServiceAccountTokenIssuer Tokens { get; }

    public static async Task<LabApiServer> StartAsync(LabApiServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LabApiServerOptions();
        var certificates = LabCertificates.Create();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificates.Server);
            });
        });
        var app = builder.Build();
        var server = new LabApiServer(app, certificates, options);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri($"https://127.0.0.1:{new Uri(address).Port}/");
        server.Bootstrap();
        return server;
    }

    /// <summary>A kubeconfig for this server: its CA, the admin token, namespace <c>default</c>.</summary>
    public string Kubeconfig(string contextName = "meshbridge-lab") => KubeconfigFor(contextName, "lab-admin", AdminToken, "default");

    public string WriteKubeconfig(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, Kubeconfig());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    private string KubeconfigFor(string contextName, string userName, string token, string ns) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {contextName}
          cluster:
            server: {BaseAddress.ToString().TrimEnd('/')}
            certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(CertificateAuthorityPem))}
        users:
        - name: {userName}
          user:
            token: {token}
        contexts:
        - name: {contextName}
          context:
            cluster: {contextName}
            user: {userName}
            namespace: {ns}
        current-context: {contextName}

        """;

    /// <summary>Registers CRDs (and stores them, as <c>kubectl apply</c> of the CRD would) from YAML text.</summary>
    public void InstallCustomResourceDefinitions(string yaml, string source = "crds")
    {
        var resource = Catalog.Find("apiextensions.k8s.io/v1", "customresourcedefinitions")!;
        foreach (var document in ManifestReader.Read(yaml, source).Where(d => d.Node?["kind"]?.GetValue<string>() == "CustomResourceDefinition"))
        {
            var crd = (JsonObject)document.Node!.DeepClone();
            var name = crd["metadata"]!["name"]!.GetValue<string>();
            if (Store.Get(new StoreKey(StoreKey.ResourceId(resource), string.Empty, name)) is null)
            {
                Store.Create(new StoreKey(StoreKey.ResourceId(resource), string.Empty, name), crd, hasGeneration: true);
            }

            Catalog.AddCustomResourceDefinition(crd);
        }
    }

    /// <summary>Stores an object directly (for scenarios), with the same rules as a create through the API.</summary>
    public JsonObject Seed(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]!.GetValue<string>();
        var kind = obj["kind"]!.GetValue<string>();
        var resource = Catalog.FindKind(apiVersion, kind) ?? throw new InvalidOperationException($"the lab serves no {kind} in {apiVersion}");
        var metadata = ObjectStore.Metadata(obj);
        var key = new StoreKey(StoreKey.ResourceId(resource), resource.Namespaced ? metadata["namespace"]?.GetValue<string>() ?? "default" : string.Empty, metadata["name"]!.GetValue<string>());
        if (resource.Namespaced)
        {
            metadata["namespace"] = key.Namespace;
        }

        return Store.Create(key, obj, resource.HasGeneration);
    }

    public async ValueTask DisposeAsync()
    {
        Store.CloseAllWatches();
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        certificates.Dispose();
        Tokens.Dispose();
    }

    private void Bootstrap()
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns }, ["status"] = new JsonObject { ["phase"] = "Active" } });
        }

        // The API server's own Service: what a NIC sidecar must not capture (excludeOutboundIPRanges).
        Seed(JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"kubernetes","namespace":"default","labels":{"component":"apiserver","provider":"kubernetes"}},
             "spec":{"type":"ClusterIP","clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1"],"ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":6443}]}}
            """)!.AsObject());

        // …and the EndpointSlice the API server keeps for it: its real addresses, which kube-proxy sends that traffic to.
        Seed(JsonNode.Parse("""
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"kubernetes","namespace":"default","labels":{"kubernetes.io/service-name":"kubernetes"}},
             "addressType":"IPv4","endpoints":[{"addresses":["172.18.0.2"],"conditions":{"ready":true}}],"ports":[{"name":"https","port":6443,"protocol":"TCP"}]}
            """)!.AsObject());
    }

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context).ConfigureAwait(false);
        }
        catch (ApiError error) when (!context.Response.HasStarted)
        {
            await ResourceEndpoint.WriteJsonAsync(context, error.Code, error.ToStatus()).ConfigureAwait(false);
        }
        catch (StoreException error) when (!context.Response.HasStarted)
        {
            var code = error.Reason switch { "NotFound" => 404, "AlreadyExists" or "Conflict" => 409, "Expired" => 410, _ => 500 };
            await ResourceEndpoint.WriteJsonAsync(context, code, new ApiError(code, error.Reason, error.Message).ToStatus()).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception error) when (!context.Response.HasStarted && error is not OperationCanceledException)
        {
            // A lab bug must still answer like an API server does: a 500 Status naming the error.
            await ResourceEndpoint.WriteJsonAsync(context, 500, new ApiError(500, "InternalError", $"Internal error occurred: {error.GetType().Name}: {error.Message}").ToStatus()).ConfigureAwait(false);
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path is "/healthz" or "/livez" or "/readyz")
        {
            await context.Response.WriteAsync("ok", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var user = Authenticate(context) ?? throw new ApiError(401, "Unauthorized", "Unauthorized");
        if (Options.EnforceRbac)
        {
            Authorize(user, Auth.RbacAttributes.FromHttp(context));
        }

        if (Document(path) is { } document)
        {
            await ResourceEndpoint.WriteJsonAsync(context, 200, document).ConfigureAwait(false);
            return;
        }

        var request = ApiRequest.Parse(context, Catalog) ?? throw ApiError.NoSuchPath();
        Counters.Record(request.Verb, request.Resource.Plural);
        Counters.RecordProtocol(context.Request.Protocol);
        if (Faults.Take(request) is { } fault)
        {
            await InjectAsync(context, fault).ConfigureAwait(false);
            if (fault.StatusCode is not null)
            {
                return;
            }
        }

        if (request.Verb == "watch" && Faults.DropWatchAtStart(request))
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            return;
        }

        if (request is { Verb: "create", Resource.Group: "authorization.k8s.io" } or { Verb: "create", Resource.Plural: "selfsubjectreviews" })
        {
            await SelfSubjectReviewAsync(request, user).ConfigureAwait(false);
            return;
        }

        await endpoint.HandleAsync(request).ConfigureAwait(false);
    }

    /// <summary>The admin token is <see cref="Auth.LabUser.Admin"/>; a service-account token is its account, as TokenReview says.</summary>
    private Auth.LabUser? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        var token = header["Bearer ".Length..].Trim();
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(AdminToken)))
        {
            return Auth.LabUser.Admin;
        }

        // A service-account token authenticates only with the API server's own audience, as on a real cluster.
        var review = endpoint.Review(token, []);
        return review.Status is { Authenticated: true, User: { Username: { } name } user }
            ? new Auth.LabUser(name, user.Groups ?? [])
            : null;
    }

    private JsonNode? Document(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed switch
        {
            "/version" => JsonNode.Parse("""{"major":"1","minor":"33","gitVersion":"v1.33.1-meshbridge-lab","platform":"linux/amd64"}"""),
            "/api" => DiscoveryDocuments.CoreVersions($"127.0.0.1:{BaseAddress.Port}"),
            "/apis" => DiscoveryDocuments.Groups(Catalog),
            "/api/v1" => DiscoveryDocuments.Resources(Catalog, "v1"),
            "/openapi/v3" => DiscoveryDocuments.OpenApiRoot(Catalog),
            _ when trimmed.StartsWith("/openapi/v3/api/", StringComparison.Ordinal) => DiscoveryDocuments.OpenApiGroupVersion(Catalog, trimmed["/openapi/v3/api/".Length..]) ?? throw ApiError.NoSuchPath(),
            _ when trimmed.StartsWith("/openapi/v3/apis/", StringComparison.Ordinal) => DiscoveryDocuments.OpenApiGroupVersion(Catalog, trimmed["/openapi/v3/apis/".Length..]) ?? throw ApiError.NoSuchPath(),
            _ when trimmed.Count(c => c == '/') == 3 && trimmed.StartsWith("/apis/", StringComparison.Ordinal) => DiscoveryDocuments.Resources(Catalog, trimmed["/apis/".Length..]) ?? throw ApiError.NoSuchPath(),
            _ => null,
        };
    }

    private async Task InjectAsync(HttpContext context, FaultRule fault)
    {
        if (fault.Delay is { } delay)
        {
            await Task.Delay(delay, Time, context.RequestAborted).ConfigureAwait(false);
        }

        if (fault.StatusCode is { } code)
        {
            if (fault.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            await ResourceEndpoint.WriteJsonAsync(context, code, new ApiError(code, fault.Reason, fault.Message).ToStatus()).ConfigureAwait(false);
        }
    }
}
