using System.Globalization;
using System.Text.Json.Nodes;
using MeshBridge.Certificates.IstioCa;
using MeshBridge.Kubernetes.Client;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Certificates;

/// <summary>
/// The <c>istio-ca</c> source (DESIGN.md §3): finds istiod, trusts <c>istio-ca-root-cert</c>, mints a TokenRequest
/// token for NIC's service account (audience <c>istio-ca</c>, 10 minutes) and asks the CA for that identity's
/// certificate with <see cref="IstioCaClient"/>, which verifies it. Each call issues a new certificate: keeping one and
/// renewing it at half its life is the rotation step's job, layered over this.
/// </summary>
public sealed class IstioCaCertificateSource(KubernetesApi client, IstioCaSourceOptions options, TimeProvider time) : ICertificateSource
{
    /// <summary>The ConfigMap istiod (and istio-csr) writes the mesh root into, in every namespace.</summary>
    public const string RootConfigMap = "istio-ca-root-cert";

    public const string RootKey = "root-cert.pem";

    private readonly IstioCaClient _ca = new(time);

    /// <exception cref="CertificateSourceException">The CA, its root or the token could not be had.</exception>
    /// <exception cref="IstioCaException">The CA refused, could not be reached, or issued an unusable certificate.</exception>
    public async Task<IssuedCertificate?> GetAsync(MeshIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var account = identity.ServiceAccount;
        var address = options.AddressOverride ?? await FindIstiodAsync(cancellationToken).ConfigureAwait(false);
        var root = await ReadRootAsync(account.Namespace, cancellationToken).ConfigureAwait(false);
        string token;
        try
        {
            token = (await client.CreateTokenAsync(
                account.Namespace, account.ServiceAccount, [IstioCaSourceOptions.TokenAudience], IstioCaSourceOptions.TokenExpirationSeconds, cancellationToken)
                .ConfigureAwait(false)).Token;
        }
        catch (KubernetesException e)
        {
            throw new CertificateSourceException(
                $"TokenRequest for service account {account.Namespace}/{account.ServiceAccount} failed: {e.Message} " +
                "(MeshBridge needs RBAC create on serviceaccounts/token for it)",
                e);
        }

        var certificate = await _ca.RequestAsync(
            new IstioCaRequest
            {
                Address = address,
                RootCertificatePem = root,
                ServerName = options.EffectiveServerName,
                BearerToken = token,
                SpiffeId = identity.SpiffeId,
                Validity = options.Validity,
                ClusterId = options.ClusterId,
            },
            cancellationToken).ConfigureAwait(false);
        return new IssuedCertificate(certificate.CertificateChainPem, certificate.PrivateKeyPem, certificate.RootBundlePem, certificate.NotAfter);
    }

    /// <summary>
    /// The istiod Service's cluster IP and CA port: the controller may run where cluster DNS does not resolve (host
    /// network), and the TLS name is checked separately, so the IP loses nothing.
    /// </summary>
    private async Task<string> FindIstiodAsync(CancellationToken cancellationToken)
    {
        var where = $"Service {options.IstioNamespace}/{options.ServiceName}";
        var service = await client.TryGetAsync(ResourceTypes.Services, options.IstioNamespace, options.ServiceName, cancellationToken).ConfigureAwait(false)
            ?? throw new CertificateSourceException($"{where} was not found: is Istio installed there (and is the revision right)?");
        var ports = service["spec"]?["ports"] as JsonArray ?? [];
        var hasPort = ports.Any(p => p?["port"]?.GetValue<int>() == IstioCaSourceOptions.IstiodCaPort);
        if (!hasPort)
        {
            throw new CertificateSourceException($"{where} has no port {IstioCaSourceOptions.IstiodCaPort}, where istiod serves its CA");
        }

        var clusterIp = service["spec"]?["clusterIP"]?.GetValue<string>();
        var host = string.IsNullOrEmpty(clusterIp) || clusterIp == "None" ? $"{options.ServiceName}.{options.IstioNamespace}.svc" : clusterIp;
        return string.Create(CultureInfo.InvariantCulture, $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{IstioCaSourceOptions.IstiodCaPort}");
    }

    /// <summary>The mesh root from NIC's namespace (where istiod writes it, unless discoverySelectors exclude it), else Istio's.</summary>
    private async Task<string> ReadRootAsync(string nicNamespace, CancellationToken cancellationToken)
    {
        foreach (var ns in new[] { nicNamespace, options.IstioNamespace }.Distinct())
        {
            var configMap = await client.TryGetAsync(ResourceTypes.ConfigMaps, ns, RootConfigMap, cancellationToken).ConfigureAwait(false);
            if (configMap?["data"]?[RootKey]?.GetValue<string>() is { Length: > 0 } pem)
            {
                return pem;
            }
        }

        throw new CertificateSourceException(
            $"ConfigMap {RootConfigMap} with key {RootKey} was found neither in {nicNamespace} nor in {options.IstioNamespace}; istiod writes it once it runs");
    }
}
