using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MeshBridge.Grpc;
using MeshBridge.Lab.IstioCa;
using MeshBridge.Protos.Envoy.Core;
using MeshBridge.Protos.Envoy.Discovery;
using MeshBridge.Protos.Envoy.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace MeshBridge.Lab.Sds;

/// <summary>
/// A lab SDS server on a Unix socket, as istio-agent or the SPIRE agent serve one workload (reference/istio.md §5):
/// <c>SecretDiscoveryService/StreamSecrets</c> over cleartext HTTP/2, with the lab CA's hand-written gRPC framing. It
/// serves ONE identity, issued from the mesh root, and pushes a new certificate (or bundle) to every open stream when
/// it rotates, with a new version and nonce, as the real servers do. It records every ACK and NACK for tests, and logs
/// nothing (so never a key).
/// </summary>
public sealed class LabSdsServer : IAsyncDisposable
{
    /// <summary>The bidirectional method both flavours serve.</summary>
    public const string StreamSecretsPath = "/envoy.service.secret.v3.SecretDiscoveryService/StreamSecrets";

    /// <summary>The unary method: SPIRE serves it, istio-agent answers UNIMPLEMENTED.</summary>
    public const string FetchSecretsPath = "/envoy.service.secret.v3.SecretDiscoveryService/FetchSecrets";

    /// <summary>Incremental xDS: UNIMPLEMENTED in both flavours, as in both real servers.</summary>
    public const string DeltaSecretsPath = "/envoy.service.secret.v3.SecretDiscoveryService/DeltaSecrets";

    /// <summary>The type_url of every resource.</summary>
    public const string SecretTypeUrl = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

    /// <summary>The name of SPIRE's validator extension in <c>custom_validator_config</c>.</summary>
    public const string SpiffeValidatorName = "envoy.tls.cert_validator.spiffe";

    /// <summary>istio-agent's refusal of a first request without node.id (pkg/xds/server.go).</summary>
    public const string MissingNodeInformation = "missing node information";

    private readonly WebApplication _app;
    private readonly string? _ownedDirectory;
    private readonly Lock _gate = new();
    private readonly HashSet<Session> _sessions = [];
    private readonly List<LabSdsAck> _acks = [];
    private readonly List<string> _sentNonces = [];
    private readonly List<MeshRootAuthority> _roots = [];
    private readonly CancellationTokenSource _stopping = new();
    private MeshRootAuthority _root;
    private Workload _current;
    private ITimer? _rotation;

    private LabSdsServer(WebApplication app, LabSdsOptions options, string socketPath, string? ownedDirectory, MeshRootAuthority root)
    {
        _app = app;
        Options = options;
        SocketPath = socketPath;
        _ownedDirectory = ownedDirectory;
        _root = root;
        _roots.Add(root);
        _current = Issue(root, 1);
    }

    public LabSdsOptions Options { get; }

    /// <summary>The Unix socket the server listens on (absolute); removed when the server is disposed.</summary>
    public string SocketPath { get; }

    /// <summary>Faults to switch on and off while the server runs.</summary>
    public LabSdsFaults Faults { get; } = new();

    /// <summary>The trust domain of the identity served.</summary>
    public string TrustDomain => Options.TrustDomain;

    /// <summary>The current mesh root as PEM: the bundle served.</summary>
    public string RootCertificatePem
    {
        get
        {
            lock (_gate)
            {
                return _current.RootPem;
            }
        }
    }

    /// <summary>The current workload chain as served (istio-agent: leaf + root; SPIRE: leaf).</summary>
    public string CertificateChainPem
    {
        get
        {
            lock (_gate)
            {
                return _current.ChainPem;
            }
        }
    }

    /// <summary>The version_info of the current secrets: "1" at start, one more per rotation or root replacement.</summary>
    public string Version
    {
        get
        {
            lock (_gate)
            {
                return _current.Version;
            }
        }
    }

    /// <summary>Every request after the first on any stream, in arrival order.</summary>
    public IReadOnlyList<LabSdsAck> Acks
    {
        get
        {
            lock (_gate)
            {
                return [.. _acks];
            }
        }
    }

    /// <summary>How many ACKs (requests without error_detail after the first) were received.</summary>
    public int AckCount => Acks.Count(a => !a.IsNack);

    /// <summary>How many NACKs (requests with error_detail) were received.</summary>
    public int NackCount => Acks.Count(a => a.IsNack);

    /// <summary>The nonce of every response sent, in order.</summary>
    public IReadOnlyList<string> SentNonces
    {
        get
        {
            lock (_gate)
            {
                return [.. _sentNonces];
            }
        }
    }

    /// <summary>StreamSecrets streams open now.</summary>
    public int OpenStreams
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Starts listening on <see cref="LabSdsOptions.SocketPath"/> (or a new temporary one).</summary>
    public static async Task<LabSdsServer> StartAsync(LabSdsOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LabSdsOptions();
        if (options.CertificateLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("the certificate lifetime must be positive", nameof(options));
        }

        string? owned = null;
        string path;
        if (options.SocketPath is { } given)
        {
            path = Path.GetFullPath(given);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);

            // A socket left by a previous run would make the bind fail; istio-agent removes it the same way.
            File.Delete(path);
        }
        else
        {
            owned = Directory.CreateTempSubdirectory("mb-lab-sds-").FullName;
            path = Path.Combine(owned, "sds.sock");
        }

        var root = options.Root is { } rootCertificate ? MeshRootAuthority.Use(rootCertificate) : MeshRootAuthority.Generate(options.TrustDomain, options.Time);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(path, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        var server = new LabSdsServer(app, options, path, owned, root);
        app.Run(server.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (options.AutoRotate)
        {
            var half = options.CertificateLifetime / 2;
            server._rotation = options.Time.CreateTimer(static state => ((LabSdsServer)state!).Rotate(), server, half, half);
        }

        return server;
    }

    /// <summary>Issues a new certificate and pushes it to every open stream; completes when each stream has been sent it.</summary>
    public Task RotateAsync(CancellationToken cancellationToken = default) => PushAsync(null, cancellationToken);

    /// <summary>Issues a new certificate and pushes it to every open stream, without waiting for the pushes.</summary>
    public void Rotate() => _ = PushAsync(null, CancellationToken.None);

    /// <summary>
    /// Replaces the mesh root (<paramref name="root"/> with its key, or a newly generated one) and issues a new
    /// certificate from it; the new bundle and certificate are pushed to every open stream. The bundle holds the new
    /// root only.
    /// </summary>
    public Task ReplaceRootAsync(X509Certificate2? root = null, CancellationToken cancellationToken = default) =>
        PushAsync(root is null ? MeshRootAuthority.Generate($"{Options.TrustDomain} {Guid.NewGuid():N}", Options.Time) : MeshRootAuthority.Use(root), cancellationToken);

    /// <summary><see cref="ReplaceRootAsync"/> without waiting for the pushes.</summary>
    public void ReplaceRoot(X509Certificate2? root = null) => _ = ReplaceRootAsync(root);

    /// <summary>Waits until an ACK or NACK matching <paramref name="predicate"/> arrived.</summary>
    public async Task<LabSdsAck> WaitForAckAsync(Func<LabSdsAck, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Acks.FirstOrDefault(predicate) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no matching ACK or NACK within {timeout}; received: {string.Join(", ", Acks)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_rotation is not null)
        {
            await _rotation.DisposeAsync().ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        File.Delete(SocketPath);
        if (_ownedDirectory is not null)
        {
            Directory.Delete(_ownedDirectory, recursive: true);
        }

        foreach (var root in _roots)
        {
            root.Dispose();
        }
    }

    private async Task PushAsync(MeshRootAuthority? newRoot, CancellationToken cancellationToken)
    {
        List<Task> pushed = [];
        lock (_gate)
        {
            if (newRoot is not null)
            {
                _roots.Add(newRoot);
                _root = newRoot;
            }

            _current = Issue(_root, _current.Generation + 1);
            foreach (var session in _sessions)
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (session.Pushes.Writer.TryWrite(done))
                {
                    pushed.Add(done.Task);
                }
            }
        }

        await Task.WhenAll(pushed).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new key and leaf for the identity, dated as istiod does (two minutes back for clock skew).</summary>
    private Workload Issue(MeshRootAuthority root, long generation)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = Options.Time.GetUtcNow();
        using var leaf = root.IssueLeaf(new PublicKey(key), Options.SpiffeId, now - MeshRootAuthority.ClockSkewGrace, now + Options.CertificateLifetime);
        var leafPem = leaf.ExportCertificatePem() + "\n";
        var spire = Options.Flavour == LabSdsFlavour.Spire;

        // istio-agent hands out the CA's whole chain including the root and a SEC1 key; SPIRE the SVID chain and PKCS#8.
        return new Workload(
            generation,
            spire ? leafPem : leafPem + root.Pem,
            (spire ? key.ExportPkcs8PrivateKeyPem() : key.ExportECPrivateKeyPem()) + "\n",
            root.Pem);
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!GrpcServerFraming.SupportsTrailers(context)
            || !(context.Request.ContentType ?? string.Empty).StartsWith(GrpcServerFraming.ContentType, StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        // An SDS stream lives for hours and is mostly idle: no minimum data rates, no body size limit (as Grpc.AspNetCore).
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } requestRate)
        {
            requestRate.MinDataRate = null;
        }

        if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } responseRate)
        {
            responseRate.MinDataRate = null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var aborted = linked.Token;
        try
        {
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                throw new IstioCaStatusException(StatusCode.Unimplemented, $"unknown method {context.Request.Path.Value}");
            }

            switch (context.Request.Path.Value)
            {
                case StreamSecretsPath:
                    await StreamSecretsAsync(context, aborted).ConfigureAwait(false);
                    break;
                case FetchSecretsPath when Options.Flavour == LabSdsFlavour.Spire:
                    await FetchSecretsAsync(context, aborted).ConfigureAwait(false);
                    break;
                case FetchSecretsPath or DeltaSecretsPath:
                    throw new IstioCaStatusException(StatusCode.Unimplemented, $"method {context.Request.Path.Value[(context.Request.Path.Value.LastIndexOf('/') + 1)..]} not implemented");
                default:
                    throw new IstioCaStatusException(StatusCode.Unimplemented, $"unknown method {context.Request.Path.Value}");
            }
        }
        catch (IstioCaStatusException status)
        {
            GrpcServerFraming.WriteStatus(context.Response, status.Code, status.Message);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            GrpcServerFraming.WriteStatus(context.Response, StatusCode.Unavailable, "lab SDS server shutting down");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client reset the stream; nobody reads an answer.
        }
        catch (Exception error) when (error is not OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            GrpcServerFraming.WriteStatus(context.Response, StatusCode.Internal, $"lab SDS server error: {error.GetType().Name}");
        }
    }

    private async Task StreamSecretsAsync(HttpContext context, CancellationToken aborted)
    {
        var body = context.Request.Body;
        if (await GrpcServerFraming.ReadStreamingMessageAsync(body, aborted).ConfigureAwait(false) is not { } bytes)
        {
            GrpcServerFraming.WriteStatus(context.Response, StatusCode.OK, string.Empty);
            return;
        }

        var first = Parse(bytes);
        if (Faults.Unavailable)
        {
            throw new IstioCaStatusException(StatusCode.Unavailable, "lab SDS server unavailable (injected fault)");
        }

        if (Options.Flavour == LabSdsFlavour.IstioAgent && string.IsNullOrEmpty(first.Node?.Id))
        {
            throw new IstioCaStatusException(StatusCode.InvalidArgument, MissingNodeInformation);
        }

        var session = new Session([.. first.ResourceNames], UsesSpiffeValidator(first.Node));
        lock (_gate)
        {
            _sessions.Add(session);
        }

        try
        {
            await SendAsync(context.Response, session, aborted).ConfigureAwait(false);
            var reading = ReadAcksAsync(body, aborted);
            while (true)
            {
                var waiting = session.Pushes.Reader.WaitToReadAsync(aborted).AsTask();
                if (await Task.WhenAny(reading, waiting).ConfigureAwait(false) == reading)
                {
                    // The client half-closed (or the read failed, which this rethrows).
                    await reading.ConfigureAwait(false);
                    break;
                }

                await waiting.ConfigureAwait(false);
                List<TaskCompletionSource> done = [];
                while (session.Pushes.Reader.TryRead(out var push))
                {
                    done.Add(push);
                }

                await SendAsync(context.Response, session, aborted).ConfigureAwait(false);
                done.ForEach(d => d.TrySetResult());
            }

            GrpcServerFraming.WriteStatus(context.Response, StatusCode.OK, string.Empty);
        }
        finally
        {
            lock (_gate)
            {
                _sessions.Remove(session);
            }

            // Pushes nobody will send are done too: a closed stream gets the new secrets when it reconnects.
            session.Pushes.Writer.TryComplete();
            while (session.Pushes.Reader.TryRead(out var push))
            {
                push.TrySetResult();
            }
        }
    }

    /// <summary>SPIRE's unary FetchSecrets: the same resources, once.</summary>
    private async Task FetchSecretsAsync(HttpContext context, CancellationToken aborted)
    {
        var request = Parse(await GrpcServerFraming.ReadUnaryRequestAsync(context.Request, aborted).ConfigureAwait(false));
        if (Faults.Unavailable)
        {
            throw new IstioCaStatusException(StatusCode.Unavailable, "lab SDS server unavailable (injected fault)");
        }

        var response = Response(new Session([.. request.ResourceNames], UsesSpiffeValidator(request.Node)));
        await GrpcServerFraming.WriteUnaryResponseAsync(context.Response, response.ToByteArray(), aborted).ConfigureAwait(false);
    }

    private async Task ReadAcksAsync(Stream body, CancellationToken aborted)
    {
        while (await GrpcServerFraming.ReadStreamingMessageAsync(body, aborted).ConfigureAwait(false) is { } bytes)
        {
            var request = Parse(bytes);
            lock (_gate)
            {
                _acks.Add(new LabSdsAck(request.VersionInfo, request.ResponseNonce, request.ErrorDetail?.Message));
            }
        }
    }

    private async Task SendAsync(HttpResponse http, Session session, CancellationToken aborted)
    {
        var response = Response(session);
        await GrpcServerFraming.WriteStreamingMessageAsync(http, response.ToByteArray(), aborted).ConfigureAwait(false);
    }

    private DiscoveryResponse Response(Session session)
    {
        Workload current;
        var nonce = Guid.NewGuid().ToString("N");
        lock (_gate)
        {
            current = _current;
            _sentNonces.Add(nonce);
        }

        var response = new DiscoveryResponse { VersionInfo = current.Version, TypeUrl = SecretTypeUrl, Nonce = nonce };
        var malformed = Faults.Malformed;
        IEnumerable<string> names = session.Names.Count > 0 || Options.Flavour != LabSdsFlavour.Spire
            ? session.Names
            : [Options.SpiffeId, $"spiffe://{TrustDomain}"]; // SPIRE: no names means everything
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (IsCertificate(name))
            {
                response.Resources.Add(malformed
                    ? new Any { TypeUrl = SecretTypeUrl, Value = ByteString.CopyFrom(0xff, 0xff, 0xff) }
                    : Any.Pack(CertificateSecret(name, current)));
            }
            else if (IsBundle(name))
            {
                response.Resources.Add(Any.Pack(BundleSecret(name, current, session.SpiffeValidator)));
            }
        }

        return response;
    }

    private bool IsCertificate(string name) => name == "default" || (Options.Flavour == LabSdsFlavour.Spire && name == Options.SpiffeId);

    private bool IsBundle(string name) => name == "ROOTCA" || (Options.Flavour == LabSdsFlavour.Spire && name == $"spiffe://{TrustDomain}");

    private static Secret CertificateSecret(string name, Workload workload) => new()
    {
        Name = name,
        TlsCertificate = new TlsCertificate
        {
            CertificateChain = new DataSource { InlineBytes = ByteString.CopyFromUtf8(workload.ChainPem) },
            PrivateKey = new DataSource { InlineBytes = ByteString.CopyFromUtf8(workload.KeyPem) },
        },
    };

    private Secret BundleSecret(string name, Workload workload, bool spiffeValidator)
    {
        var bundle = new DataSource { InlineBytes = ByteString.CopyFromUtf8(workload.RootPem) };
        var context = new CertificateValidationContext();
        if (spiffeValidator)
        {
            var config = new SPIFFECertValidatorConfig();
            config.TrustDomains.Add(new SPIFFECertValidatorConfig.Types.TrustDomain { Name = TrustDomain, TrustBundle = bundle });
            context.CustomValidatorConfig = new TypedExtensionConfig { Name = SpiffeValidatorName, TypedConfig = Any.Pack(config) };
        }
        else
        {
            context.TrustedCa = bundle;
        }

        return new Secret { Name = name, ValidationContext = context };
    }

    /// <summary>
    /// SPIRE (pkg/agent/endpoints/sdsv3/handler.go): a client reporting Envoy 1.18 or later gets the SPIFFE validator,
    /// unless its node metadata sets <c>disable_spiffe_cert_validation</c>. istio-agent never sends one.
    /// </summary>
    private bool UsesSpiffeValidator(Node? node)
    {
        if (Options.Flavour != LabSdsFlavour.Spire || node?.UserAgentBuildVersion?.Version is not { } version)
        {
            return false;
        }

        var disabled = node.Metadata is { } metadata && metadata.Fields.TryGetValue("disable_spiffe_cert_validation", out var flag) && flag.BoolValue;
        return !disabled && (version.MajorNumber > 1 || (version.MajorNumber == 1 && version.MinorNumber >= 18));
    }

    private static DiscoveryRequest Parse(byte[] bytes)
    {
        try
        {
            return DiscoveryRequest.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new IstioCaStatusException(StatusCode.Internal, "grpc: error unmarshalling request");
        }
    }

    /// <summary>One open StreamSecrets stream: what it asked for and its queue of pushes.</summary>
    private sealed class Session(IReadOnlyList<string> names, bool spiffeValidator)
    {
        public IReadOnlyList<string> Names { get; } = names;

        public bool SpiffeValidator { get; } = spiffeValidator;

        public Channel<TaskCompletionSource> Pushes { get; } = Channel.CreateUnbounded<TaskCompletionSource>();
    }

    /// <summary>The identity's current secrets; the key never appears in <see cref="ToString"/>.</summary>
    private sealed record Workload(long Generation, string ChainPem, string KeyPem, string RootPem)
    {
        public string Version => Generation.ToString(CultureInfo.InvariantCulture);

        public override string ToString() => $"Workload {{ Version = {Version} }}";
    }
}
