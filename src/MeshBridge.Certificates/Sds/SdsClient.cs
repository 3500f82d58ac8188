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
/// resource cannot be decoded. Every failure is an <see cref="SdsException"/> naming its cause.
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

    /// <summary>Opens a stream, waits for both secrets, ACKs them and closes the stream.</summary>
    /// <exception cref="ArgumentException">The request is malformed (empty socket path or resource name).</exception>
    /// <exception cref="SdsException">The server could not be reached, refused, timed out or sent unusable secrets.</exception>
    public async Task<SdsSecrets> FetchAsync(SdsRequest request, CancellationToken cancellationToken = default)
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
        try
        {
            return await StreamAsync(channel, request, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SdsException(SdsFailure.Timeout, $"{at} did not send {Names(request)} within {request.Timeout}", e);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw timeout.IsCancellationRequested
                ? new SdsException(SdsFailure.Timeout, $"{at} did not send {Names(request)} within {request.Timeout}", e)
                : Describe(e, at, request);
        }
    }

    private static async Task<SdsSecrets> StreamAsync(GrpcChannel channel, SdsRequest request, CancellationToken cancellationToken)
    {
        string[] names = [request.CertificateResource, request.RootResource];
        using var call = channel.DuplexStreamingCall(StreamSecretsMethod, new CallOptions(CancellationToken: cancellationToken));
        var first = new DiscoveryRequest { Node = new Node { Id = request.NodeId }, TypeUrl = SecretTypeUrl };
        first.ResourceNames.AddRange(names);
        await call.RequestStream.WriteAsync(first, cancellationToken).ConfigureAwait(false);

        TlsCertificate? certificate = null;
        CertificateValidationContext? validation = null;
        var certificateVersion = string.Empty;
        var acceptedVersion = string.Empty;
        while (certificate is null || validation is null)
        {
            if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                throw new SdsException(
                    SdsFailure.Refused,
                    $"the SDS server at {request.SocketPath} ended the stream before sending {Names(request)} ({call.GetStatus()})");
            }

            var response = call.ResponseStream.Current;
            var ack = new DiscoveryRequest { TypeUrl = SecretTypeUrl, ResponseNonce = response.Nonce };
            ack.ResourceNames.AddRange(names);
            if (TryDecode(response, out var secrets, out var problem))
            {
                ack.VersionInfo = acceptedVersion = response.VersionInfo;
                foreach (var secret in secrets)
                {
                    if (secret.Name == request.CertificateResource && secret.TlsCertificate is { } tls)
                    {
                        certificate = tls;
                        certificateVersion = response.VersionInfo;
                    }
                    else if (secret.Name == request.RootResource && secret.ValidationContext is { } context)
                    {
                        validation = context;
                    }
                }
            }
            else
            {
                // A NACK keeps the last accepted version and says why (xDS protocol: error_detail on the rejected nonce).
                ack.VersionInfo = acceptedVersion;
                ack.ErrorDetail = new Protos.Rpc.Status { Code = (int)StatusCode.InvalidArgument, Message = problem };
            }

            await call.RequestStream.WriteAsync(ack, cancellationToken).ConfigureAwait(false);
        }

        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return new SdsSecrets(
            Inline(certificate.CertificateChain, request.CertificateResource, "certificate_chain"),
            Inline(certificate.PrivateKey, request.CertificateResource, "private_key"),
            Inline(validation.TrustedCa, request.RootResource, "trusted_ca"),
            certificateVersion);
    }

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
