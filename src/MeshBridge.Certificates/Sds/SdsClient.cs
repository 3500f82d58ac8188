using System.Runtime.CompilerServices;
using Google.Protobuf;
using MeshBridge.Grpc;
using MeshBridge.Protos.Envoy.Core;
using MeshBridge.Protos.Envoy.Discovery;
using MeshBridge.Protos.Envoy.Tls;

namespace MeshBridge.Certificates.Sds;

/// <summary>
/// Fetches the workload certificate and trust bundle from an SDS server over its Unix socket, as Envoy does with
/// istio-agent (reference/istio.md §5): one StreamSecrets stream (istio-agent implements nothing else), a first request
/// carrying a non-empty node.id, every response ACKed with its version and nonce, or NACKed with error_detail when a
/// resource cannot be decoded; <see cref="WatchAsync"/> keeps the stream open for pushed updates. Every failure is an <see cref="SdsException"/> naming its cause.
/// </summary>
/// <param name="time">The clock the timeout runs on.</param>
public sealed class SdsClient(TimeProvider time)
{
    /// <summary>The type_url of SDS secrets (istio pkg/model/xds.go).</summary>
    public const string SecretTypeUrl = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

    /// <summary>The SDS method.</summary>
    public static Method<DiscoveryRequest, DiscoveryResponse> StreamSecretsMethod { get; } = new(
        MethodType.DuplexStreaming,
        "envoy.service.secret.v3.SecretDiscoveryService",
        "StreamSecrets",
        Marshallers.Create(DiscoveryRequest.Parser),
        Marshallers.Create(DiscoveryResponse.Parser));

    /// <summary>The name SPIRE gives its SPIFFE validator in <c>custom_validator_config</c>.</summary>
    public const string SpiffeValidatorName = "envoy.tls.cert_validator.spiffe";

    /// <summary>The type_url of <see cref="SPIFFECertValidatorConfig"/> inside <c>custom_validator_config.typed_config</c>.</summary>
    public const string SpiffeValidatorTypeUrl = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig";

    /// <summary>
    /// Opens a stream, waits for both secrets, ACKs them and closes the stream: the first item of
    /// <see cref="WatchAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The request is malformed (empty socket path or resource name).</exception>
    /// <exception cref="SdsException">The server could not be reached, refused, timed out or sent unusable secrets.</exception>
    public async Task<SdsSecrets> FetchAsync(SdsRequest request, CancellationToken cancellationToken = default)
    {
        await foreach (var secrets in WatchAsync(request, cancellationToken).ConfigureAwait(false))
        {
            return secrets;
        }

        // WatchAsync ends only by throwing or by cancellation.
        cancellationToken.ThrowIfCancellationRequested();
        throw new SdsException(SdsFailure.Refused, $"the SDS server at {request.SocketPath} sent no secrets");
    }

    /// <summary>
    /// Opens one StreamSecrets stream and yields the secrets as soon as both resources are known, then again every
    /// time the server pushes a changed certificate or bundle (a new DiscoveryResponse with a new version and nonce).
    /// Every response is ACKed with its version and nonce; one that cannot be decoded is NACKed, keeping the last
    /// accepted version, and yields nothing. <see cref="SdsRequest.Timeout"/> applies to the first item only. The
    /// sequence ends when <paramref name="cancellationToken"/> is cancelled (an <see cref="OperationCanceledException"/>);
    /// a stream the server ends after the first item throws <see cref="SdsException"/> with
    /// <see cref="SdsFailure.StreamEnded"/>, so the consumer reconnects.
    /// </summary>
    /// <exception cref="ArgumentException">The request is malformed (empty socket path or resource name).</exception>
    /// <exception cref="SdsException">The server could not be reached, refused, timed out, ended the stream or sent unusable secrets.</exception>
    public async IAsyncEnumerable<SdsSecrets> WatchAsync(SdsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.SocketPath);

        // An empty node id is not refused here: the server's own answer ("missing node information") is the judge.
        ArgumentNullException.ThrowIfNull(request.NodeId);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.CertificateResource);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.RootResource);
        var at = $"the SDS server at {request.SocketPath}";
        if (!File.Exists(request.SocketPath))
        {
            throw new SdsException(
                SdsFailure.SocketMissing,
                $"{at} does not exist; istio-agent serves SDS on {SdsRequest.IstioAgentSocket} (emptyDir workload-socket), SPIRE on its Workload API socket");
        }

        using var timeout = new CancellationTokenSource(request.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        using var channel = GrpcChannel.ForAddress(new Uri("http://localhost"), new GrpcChannelOptions { UnixSocketPath = request.SocketPath, TimeProvider = time });
        using var stream = new SecretStream(channel, request, linked.Token);
        var yielded = false;
        try
        {
            while (true)
            {
                SdsSecrets? next;
                try
                {
                    next = await stream.NextAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!yielded && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new SdsException(SdsFailure.Timeout, $"{at} did not send {Names(request)} within {request.Timeout}", e);
                }
                catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw yielded
                        ? new SdsException(SdsFailure.StreamEnded, $"{at} ended the stream after sending secrets ({e.StatusCode}: {e.Status.Detail}); reconnect", e)
                        : timeout.IsCancellationRequested
                        ? new SdsException(SdsFailure.Timeout, $"{at} did not send {Names(request)} within {request.Timeout}", e)
                        : Describe(e, at, request);
                }
                catch (RpcException e) when (cancellationToken.IsCancellationRequested)
                {
                    // The caller's cancellation ends the call; it is reported as a cancellation, not as a gRPC status.
                    throw new OperationCanceledException("the SDS watch was cancelled", e, cancellationToken);
                }

                if (next is null)
                {
                    throw yielded
                        ? new SdsException(SdsFailure.StreamEnded, $"{at} ended the stream after sending secrets ({stream.Status}); reconnect")
                        : new SdsException(SdsFailure.Refused, $"{at} ended the stream before sending {Names(request)} ({stream.Status})");
                }

                if (!yielded)
                {
                    // The timeout bounds the wait for the first secrets only; a watch lasts as long as its caller wants.
                    yielded = true;
                    timeout.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
                }

                yield return next;
            }
        }
        finally
        {
            await stream.CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One StreamSecrets call: the first request, then per response an ACK or NACK and, when the pair changed, secrets.</summary>
    private sealed class SecretStream : IDisposable
    {
        private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(1);

        private readonly SdsRequest _request;
        private readonly string[] _names;
        private readonly AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> _call;
        private bool _started;
        private string _acceptedVersion = string.Empty;
        private TlsCertificate? _certificate;
        private string _certificateVersion = string.Empty;
        private string? _rootPem;
        private string _rootVersion = string.Empty;
        private SdsSecrets? _last;

        public SecretStream(GrpcChannel channel, SdsRequest request, CancellationToken cancellationToken)
        {
            _request = request;
            _names = [request.CertificateResource, request.RootResource];
            _call = channel.DuplexStreamingCall(StreamSecretsMethod, new CallOptions(CancellationToken: cancellationToken));
        }

        public string Status
        {
            get
            {
                try
                {
                    return _call.GetStatus().ToString();
                }
                catch (InvalidOperationException)
                {
                    return "still open";
                }
            }
        }

        /// <summary>The next changed pair of secrets, or null when the server ended the stream with OK.</summary>
        public async Task<SdsSecrets?> NextAsync(CancellationToken cancellationToken)
        {
            if (!_started)
            {
                _started = true;
                var first = new DiscoveryRequest { Node = new Node { Id = _request.NodeId }, TypeUrl = SecretTypeUrl };
                first.ResourceNames.AddRange(_names);
                await _call.RequestStream.WriteAsync(first, cancellationToken).ConfigureAwait(false);
            }

            while (true)
            {
                if (!await _call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                var response = _call.ResponseStream.Current;
                var ack = new DiscoveryRequest { TypeUrl = SecretTypeUrl, ResponseNonce = response.Nonce };
                ack.ResourceNames.AddRange(_names);
                if (TryDecode(response, out var secrets, out var problem))
                {
                    ack.VersionInfo = _acceptedVersion = response.VersionInfo;
                    Accept(secrets, response.VersionInfo);
                }
                else
                {
                    // A NACK keeps the last accepted version and says why (xDS protocol: error_detail on the rejected nonce).
                    ack.VersionInfo = _acceptedVersion;
                    ack.ErrorDetail = new Protos.Rpc.Status { Code = (int)StatusCode.InvalidArgument, Message = problem };
                }

                await _call.RequestStream.WriteAsync(ack, cancellationToken).ConfigureAwait(false);
                if (_certificate is null || _rootPem is null)
                {
                    continue;
                }

                var current = new SdsSecrets(
                    Inline(_certificate.CertificateChain, _request.CertificateResource, "certificate_chain"),
                    Inline(_certificate.PrivateKey, _request.CertificateResource, "private_key"),
                    _rootPem,
                    _certificateVersion)
                {
                    RootVersion = _rootVersion,
                };
                if (_last is not null && _last.CertificateChainPem == current.CertificateChainPem && _last.PrivateKeyPem == current.PrivateKeyPem
                    && _last.RootBundlePem == current.RootBundlePem)
                {
                    // The same secrets again (a resend): nothing changed for the consumer.
                    continue;
                }

                _last = current;
                return current;
            }
        }

        /// <summary>
        /// Half-closes the request stream and waits briefly for the server to end the call (istio-agent and SPIRE end
        /// it with OK on the half-close), so the last ACK is read before the dispose resets whatever is left.
        /// </summary>
        public async Task CloseAsync()
        {
            if (!_started)
            {
                return;
            }

            try
            {
                await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
                using var grace = new CancellationTokenSource(CloseGrace);
                while (await _call.ResponseStream.MoveNext(grace.Token).ConfigureAwait(false))
                {
                    // A push that crossed the half-close: nobody wants it any more.
                }
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException or IOException)
            {
                // The call is already over (or the server kept it open); disposing it is all that is left.
            }
        }

        public void Dispose() => _call.Dispose();

        private void Accept(List<Secret> secrets, string version)
        {
            foreach (var secret in secrets)
            {
                if (secret.Name == _request.CertificateResource && secret.TlsCertificate is { } tls)
                {
                    _certificate = tls;
                    _certificateVersion = version;
                }
                else if (secret.Name == _request.RootResource && secret.ValidationContext is { } context)
                {
                    _rootPem = RootBundle(context, _request);
                    _rootVersion = version;
                }
            }
        }
    }

    /// <summary>
    /// The trust bundle: <c>trusted_ca</c> (istio-agent, SPIRE for non-Envoy clients) or, as SPIRE sends it to Envoy
    /// 1.18+, the <c>trust_bundle</c> of the requested trust domain in the SPIFFE validator config.
    /// </summary>
    private static string RootBundle(CertificateValidationContext context, SdsRequest request)
    {
        var resource = request.RootResource;
        if (context.TrustedCa is not null || context.CustomValidatorConfig is null)
        {
            return Inline(context.TrustedCa, resource, "trusted_ca");
        }

        var validator = context.CustomValidatorConfig;
        if (validator.Name != SpiffeValidatorName || validator.TypedConfig is not { } typed || typed.TypeUrl != SpiffeValidatorTypeUrl)
        {
            throw new SdsException(
                SdsFailure.Refused,
                $"secret '{resource}' has no trusted_ca and its custom_validator_config is '{validator.Name}' ({validator.TypedConfig?.TypeUrl}), not {SpiffeValidatorName}");
        }

        SPIFFECertValidatorConfig config;
        try
        {
            config = SPIFFECertValidatorConfig.Parser.ParseFrom(typed.Value);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SdsException(SdsFailure.Refused, $"secret '{resource}' has a {SpiffeValidatorName} config that is not a SPIFFECertValidatorConfig: {e.Message}", e);
        }

        var present = string.Join(", ", config.TrustDomains.Select(d => $"'{d.Name}'"));
        var wanted = request.TrustDomain is { Length: > 0 } name ? TrimScheme(name) : null;
        var matching = wanted is null
            ? config.TrustDomains.Count == 1 ? config.TrustDomains[0] : null
            : config.TrustDomains.FirstOrDefault(d => TrimScheme(d.Name) == wanted);
        if (matching is null)
        {
            throw new SdsException(
                SdsFailure.Refused,
                wanted is null
                    ? $"secret '{resource}' holds bundles for {config.TrustDomains.Count} trust domains ({present}); say which one to trust (the trust domain option)"
                    : $"secret '{resource}' holds no bundle for trust domain '{wanted}'; it has {(present.Length == 0 ? "none" : present)}");
        }

        return Inline(matching.TrustBundle, resource, $"trust_bundle of trust domain '{matching.Name}'");
    }

    private static string TrimScheme(string trustDomain) =>
        trustDomain.StartsWith("spiffe://", StringComparison.Ordinal) ? trustDomain["spiffe://".Length..].TrimEnd('/') : trustDomain;

    private static bool TryDecode(DiscoveryResponse response, out List<Secret> secrets, out string problem)
    {
        secrets = [];
        problem = string.Empty;
        foreach (var resource in response.Resources)
        {
            if (resource.TypeUrl != SecretTypeUrl)
            {
                problem = $"resource of type {resource.TypeUrl}, expected {SecretTypeUrl}";
                return false;
            }

            try
            {
                secrets.Add(Secret.Parser.ParseFrom(resource.Value));
            }
            catch (InvalidProtocolBufferException e)
            {
                problem = $"a resource is not a Secret: {e.Message}";
                return false;
            }
        }

        return true;
    }

    private static string Inline(DataSource? source, string resource, string field)
    {
        if (source is null || source.SpecifierCase == DataSource.SpecifierOneofCase.None)
        {
            throw new SdsException(SdsFailure.Refused, $"secret '{resource}' has no {field}");
        }

        return source.SpecifierCase switch
        {
            DataSource.SpecifierOneofCase.InlineBytes => source.InlineBytes.ToStringUtf8(),
            DataSource.SpecifierOneofCase.InlineString => source.InlineString,
            _ => throw new SdsException(
                SdsFailure.Refused, $"secret '{resource}' gives {field} as {source.SpecifierCase}, not inline; only inline secrets can be fetched"),
        };
    }

    private static string Names(SdsRequest request) => $"'{request.CertificateResource}' and '{request.RootResource}'";

    private static SdsException Describe(RpcException e, string at, SdsRequest request) => e.StatusCode switch
    {
        StatusCode.Unimplemented => new SdsException(
            SdsFailure.Unimplemented,
            $"{at} does not implement StreamSecrets (Unimplemented: {e.Status.Detail}); is it the SDS socket, not the xDS proxy socket /etc/istio/proxy/XDS?",
            e),
        StatusCode.InvalidArgument => new SdsException(
            SdsFailure.InvalidArgument, $"{at} rejected the request (InvalidArgument: {e.Status.Detail}); the node id was '{request.NodeId}', istio-agent needs a non-empty one",
            e),
        StatusCode.DeadlineExceeded => new SdsException(SdsFailure.Timeout, $"{at} did not send {Names(request)} within {request.Timeout}", e),
        StatusCode.Unavailable when e.Status.DebugException is not null => new SdsException(
            SdsFailure.SocketMissing, $"{at} is not accepting connections: {Innermost(e.Status.DebugException).Message}", e),
        _ => new SdsException(SdsFailure.Refused, $"{at} ended the stream ({e.StatusCode}: {e.Status.Detail})", e),
    };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
