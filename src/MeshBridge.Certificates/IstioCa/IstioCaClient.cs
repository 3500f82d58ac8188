using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MeshBridge.Grpc;
using MeshBridge.Protos.Istio;

namespace MeshBridge.Certificates.IstioCa;

/// <summary>
/// Asks an Istio CA (istiod or cert-manager istio-csr) for a workload certificate the way istio-agent does
/// (reference/istio.md §1–§3): a fresh ECDSA P-256 CSR for one SPIFFE ID, <c>CreateCertificate</c> over TLS trusting
/// only the mesh root, <c>authorization: Bearer &lt;token&gt;</c>, an explicit validity; the answer is verified with
/// <see cref="ChainVerifier"/> before it is returned. Every failure is an <see cref="IstioCaException"/> naming its cause.
/// </summary>
/// <param name="time">The clock the issued certificate is judged at.</param>
public sealed class IstioCaClient(TimeProvider time)
{
    /// <summary>The CA method, as istiod and istio-csr register it.</summary>
    public static Method<IstioCertificateRequest, IstioCertificateResponse> CreateCertificateMethod { get; } = new(
        MethodType.Unary,
        "istio.v1.auth.IstioCertificateService",
        "CreateCertificate",
        Marshallers.Create(IstioCertificateRequest.Parser),
        Marshallers.Create(IstioCertificateResponse.Parser));

    /// <summary>Requests, verifies and returns the certificate.</summary>
    /// <exception cref="ArgumentException">The request is malformed (address, SPIFFE ID, validity, root PEM).</exception>
    /// <exception cref="IstioCaException">The CA could not be reached, refused, or answered with an unusable certificate.</exception>
    public async Task<VerifiedCertificate> RequestAsync(IstioCaRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (host, port) = ParseAddress(request.Address);
        var serverName = string.IsNullOrEmpty(request.ServerName) ? host : request.ServerName;
        if (request.Validity < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"validity {request.Validity} is not positive; the CA needs an explicit validity", nameof(request));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(request.BearerToken);
        var roots = ReadRoots(request.RootCertificatePem);
        try
        {
            return await RequestAsync(request, roots, host, port, serverName, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var root in roots)
            {
                root.Dispose();
            }
        }
    }

    private async Task<VerifiedCertificate> RequestAsync(
        IstioCaRequest request, X509Certificate2Collection roots, string host, int port, string serverName, CancellationToken cancellationToken)
    {
        using var csr = CertificateSigningRequest.Create(request.SpiffeId);
        var tls = new TlsOutcome();
        using var channel = GrpcChannel.ForAddress(
            new Uri($"https://{FormatHost(host)}:{port.ToString(CultureInfo.InvariantCulture)}"),
            new GrpcChannelOptions
            {
                HttpHandler = CreateHandler(roots, tls),
                DisposeHttpHandler = true,
                ExpectedServerName = serverName,
                TimeProvider = time,
            });

        var headers = new Metadata { { "authorization", "Bearer " + request.BearerToken } };
        if (!string.IsNullOrEmpty(request.ClusterId))
        {
            headers.Add("clusterid", request.ClusterId);
        }

        var message = new IstioCertificateRequest { Csr = csr.Pem, ValidityDuration = (long)request.Validity.TotalSeconds };
        IstioCertificateResponse response;
        try
        {
            response = await channel.UnaryAsync(
                CreateCertificateMethod,
                message,
                new CallOptions(headers, time.GetUtcNow().UtcDateTime + request.Timeout, cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Describe(e, request, serverName, tls);
        }

        try
        {
            return new ChainVerifier(time).Verify(response.CertChain, csr, request.RootCertificatePem);
        }
        catch (CertificateVerificationException e)
        {
            throw new IstioCaException(
                IstioCaFailure.Verification,
                $"the Istio CA at {request.Address} answered, but its certificate is unusable: {e.Message}",
                e);
        }
    }

    /// <summary>Splits <c>host:port</c> (<c>[v6]:port</c> for IPv6).</summary>
    public static (string Host, int Port) ParseAddress(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        var colon = address.LastIndexOf(':');
        var host = colon > 0 ? address[..colon].Trim('[', ']') : string.Empty;
        if (colon <= 0 || host.Length == 0 || address.Contains("://", StringComparison.Ordinal)
            || !int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"CA address '{address}' is not HOST:PORT (e.g. istiod.istio-system.svc:15012)", nameof(address));
        }

        return (host, port);
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;

    private static X509Certificate2Collection ReadRoots(string pem)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ArgumentException($"the mesh root is not PEM certificates: {e.Message}", nameof(pem), e);
        }

        return roots.Count > 0 ? roots : throw new ArgumentException("the mesh root holds no PEM certificate", nameof(pem));
    }

    /// <summary>
    /// Our own handler (not the channel's) so the TLS verdict's reason survives: SslStream reports only "rejected by
    /// the callback", and "wrong name" and "wrong root" need different fixes.
    /// </summary>
    private static SocketsHttpHandler CreateHandler(X509Certificate2Collection roots, TlsOutcome outcome) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(10),
        UseCookies = false,
        UseProxy = false,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, presented, errors) =>
            {
                if (certificate is null)
                {
                    outcome.Problem = "the server presented no certificate";
                    return false;
                }

                var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                outcome.Subject = leaf.Subject;
                outcome.DnsNames = string.Join(", ", leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(san => san.EnumerateDnsNames()));
                if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    outcome.Problem = "name mismatch";
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.DisableCertificateDownloads = true;
                if (presented is not null)
                {
                    foreach (var element in presented.ChainElements)
                    {
                        chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                    }
                }

                if (chain.Build(leaf))
                {
                    return true;
                }

                outcome.Problem = "untrusted: " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
                return false;
            },
        },
    };

    private static IstioCaException Describe(RpcException e, IstioCaRequest request, string serverName, TlsOutcome tls)
    {
        var at = $"the Istio CA at {request.Address}";
        var problem = tls.Problem;
        if (problem is not null || Has<AuthenticationException>(e))
        {
            var presented = tls.Subject is null ? string.Empty : $" (it presented '{tls.Subject}', DNS names: {(tls.DnsNames is { Length: > 0 } n ? n : "none")})";
            var cause = problem switch
            {
                "name mismatch" => $"its certificate does not name '{serverName}'{presented}; istiod's certificate names istiod.<istio-namespace>.svc (istiod-<revision>.<istio-namespace>.svc for a revision), pass that as the server name",
                null => "the TLS handshake failed",
                _ => $"its certificate is not trusted by the mesh root{presented}: {problem["untrusted: ".Length..]}; the root must be root-cert.pem of ConfigMap istio-ca-root-cert",
            };
            return new IstioCaException(IstioCaFailure.TlsUntrusted, $"TLS with {at} failed: {cause}", e);
        }

        return e.StatusCode switch
        {
            StatusCode.Unauthenticated => new IstioCaException(
                IstioCaFailure.Unauthenticated,
                $"{at} refused the token (Unauthenticated: {e.Status.Detail}); the token must be a service account token for " +
                $"{request.SpiffeId} with audience istio-ca (TokenRequest audiences [istio-ca]), not expired",
                e),
            StatusCode.InvalidArgument => new IstioCaException(
                IstioCaFailure.InvalidArgument,
                $"{at} rejected the request (InvalidArgument: {e.Status.Detail}); a validity of {request.Validity} may exceed the CA's " +
                "maximum (istiod MAX_WORKLOAD_CERT_TTL, 90 days by default)",
                e),
            StatusCode.DeadlineExceeded => new IstioCaException(
                IstioCaFailure.Timeout, $"{at} did not answer within {request.Timeout}", e),
            StatusCode.Unavailable when e.Status.DebugException is not null => new IstioCaException(
                IstioCaFailure.Unreachable,
                $"{at} is unreachable: {Innermost(e.Status.DebugException).Message}",
                e),
            _ => new IstioCaException(
                IstioCaFailure.Refused, $"{at} refused the certificate request ({e.StatusCode}: {e.Status.Detail})", e),
        };
    }

    private static bool Has<T>(Exception e)
        where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T)
            {
                return true;
            }
        }

        return false;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    /// <summary>What the TLS callback saw; read after the call fails.</summary>
    private sealed class TlsOutcome
    {
        public string? Problem { get; set; }

        public string? Subject { get; set; }

        public string? DnsNames { get; set; }
    }
}
