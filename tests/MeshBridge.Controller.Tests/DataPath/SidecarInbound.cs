using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshBridge.Controller.Tests.DataPath;

/// <summary>
/// Stands in for an Istio sidecar's inbound listener on a STRICT, HTTP-declared port (reference/istio.md §8): TLS
/// 1.2–1.3 with a workload certificate (only a URI SAN), a client certificate required, accepted only when it chains
/// to the mesh root and carries a SPIFFE URI SAN in the trust domain — anything else ends the handshake. Each request
/// is answered with the <c>X-Forwarded-Client-Cert</c> the sidecar would hand the app (§6): inbound is APPEND_FORWARD
/// with Subject, URI and DNS details, so an incoming header is kept and the sidecar's own element is appended.
/// </summary>
internal sealed class SidecarInbound : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly X509Certificate2 meshRoot;
    private readonly string trustDomain;
    private readonly string by;
    private readonly ConcurrentQueue<string> refused = new();
    private int accepted;

    private SidecarInbound(WebApplication app, X509Certificate2 serving, X509Certificate2 meshRoot, string trustDomain)
    {
        this.app = app;
        this.meshRoot = meshRoot;
        this.trustDomain = trustDomain;
        by = SpiffeUris(serving).Single();
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; private set; }

    /// <summary>Why each refused handshake was refused, in order.</summary>
    public IReadOnlyList<string> Refused => [.. refused];

    /// <summary>Handshakes whose client certificate was accepted.</summary>
    public int Accepted => Volatile.Read(ref accepted);

    /// <param name="serving">The workload certificate with its key (the sidecar's own, from the mesh CA).</param>
    /// <param name="meshRoot">The only root client certificates may chain to.</param>
    public static async Task<SidecarInbound> StartAsync(X509Certificate2 serving, X509Certificate2 meshRoot, string trustDomain = "cluster.local")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        SidecarInbound? inbound = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = SslStreamCertificateContext.Create(serving, additionalCertificates: null, offline: true),
                    ClientCertificateRequired = true,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) => inbound!.Validate(certificate, chain, errors),
                }),
            });
        }));
        var app = builder.Build();
        inbound = new SidecarInbound(app, serving, meshRoot, trustDomain);
        app.Run(inbound.HandleAsync);
        await app.StartAsync();
        inbound.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return inbound;
    }

    /// <summary>The SPIFFE URIs among the certificate's subjectAltName URIs.</summary>
    public static List<string> SpiffeUris(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault();
        if (extension is null)
        {
            return [];
        }

        var reader = new System.Formats.Asn1.AsnReader(extension.RawData, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var uriTag = new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 6);
        var uris = new List<string>();
        while (reader.HasData)
        {
            if (reader.PeekTag().HasSameClassAndValue(uriTag))
            {
                uris.Add(reader.ReadCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, uriTag));
            }
            else
            {
                reader.ReadEncodedValue();
            }
        }

        return uris.Where(u => u.StartsWith("spiffe://", StringComparison.Ordinal)).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>Istio STRICT: a client certificate that chains to the mesh root and names a workload in the trust domain.</summary>
    private bool Validate(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return Refuse("no client certificate");
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(meshRoot);
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }

        if (!chain.Build(leaf))
        {
            return Refuse($"client certificate does not chain to the mesh root: {string.Join("; ", chain.ChainStatus.Select(s => s.Status))}");
        }

        var prefix = $"spiffe://{trustDomain}/";
        if (!SpiffeUris(leaf).Any(u => u.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return Refuse($"client certificate has no SPIFFE URI SAN in trust domain {trustDomain}");
        }

        Interlocked.Increment(ref accepted);
        return true;
    }

    private bool Refuse(string reason)
    {
        refused.Enqueue(reason);
        return false;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var client = context.Connection.ClientCertificate ?? await context.Connection.GetClientCertificateAsync();
        if (client is null)
        {
            // Cannot happen past the handshake above; answer as a misconfigured sidecar would be noticed.
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        var incoming = context.Request.Headers["X-Forwarded-Client-Cert"].ToString();
        var xfcc = string.IsNullOrEmpty(incoming) ? Element(client) : $"{incoming},{Element(client)}";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["xfcc"] = xfcc,
            ["path"] = context.Request.Path.Value ?? string.Empty,
            ["host"] = context.Request.Host.Value ?? string.Empty,
            ["tls"] = context.Features.Get<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>()?.Protocol.ToString() ?? string.Empty,
        }));
    }

    /// <summary>
    /// Envoy's element for the peer (conn_manager_utility.cc, reference/istio.md §6): <c>By</c> (own URI SAN),
    /// <c>Hash</c> (lowercase hex SHA-256 of the peer leaf's DER), <c>Subject</c> (always quoted, even empty), <c>URI</c>
    /// (one per URI SAN), <c>DNS</c> (one per DNS SAN, none here).
    /// </summary>
    private string Element(X509Certificate2 client)
    {
        var parts = new List<string>
        {
            $"By={by}",
            $"Hash={Convert.ToHexStringLower(SHA256.HashData(client.RawData))}",
            $"Subject=\"{client.SubjectName.Decode(X500DistinguishedNameFlags.UseCommas | X500DistinguishedNameFlags.DoNotUseQuotes).Replace("\"", "\\\"", StringComparison.Ordinal)}\"",
        };
        var uris = SpiffeUris(client);
        parts.AddRange(uris.Count == 0 ? ["URI="] : uris.Select(u => $"URI={u}"));
        foreach (var dns in client.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()))
        {
            parts.Add($"DNS={dns}");
        }

        return string.Join(';', parts);
    }
}
