using System.Text.Json;
using MeshBridge.Controller.Certificates;
using MeshBridge.Kubernetes.Caching;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform.Model;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Caching;

/// <summary>
/// The informer caches the reconcilers read from: NIC resources, NIC workloads, the API server's Service, the Secrets MeshBridge owns,
/// IngressClasses, Namespaces and Istio's ConfigMaps; and the mesh facts derived from them (<see cref="MeshFacts"/>).
/// </summary>
public sealed class ClusterState
{
    private readonly ControllerOptions options;

    public ClusterState(KubernetesApi client, ControllerOptions options)
    {
        // An empty namespace would make the Istio ConfigMap informer watch every ConfigMap of the cluster.
        ArgumentException.ThrowIfNullOrWhiteSpace(options.IstioNamespace, nameof(options));
        this.options = options;
        var informerOptions = new InformerOptions { ResyncPeriod = options.ResyncPeriod, Time = options.Time };
        // The kinds a cluster has thousands of are kept serialized (about 40 % of the memory; a reconcile reads a few).
        var manyOptions = informerOptions with { StoreSerialized = true };
        VirtualServers = new(client, ResourceTypes.VirtualServers, ModelJsonContext.Default.VirtualServer, manyOptions);
        VirtualServerRoutes = new(client, ResourceTypes.VirtualServerRoutes, ModelJsonContext.Default.VirtualServerRoute, manyOptions);
        Policies = new(client, ResourceTypes.Policies, ModelJsonContext.Default.Policy, informerOptions);
        Deployments = new(client, ResourceTypes.Deployments, ModelJsonContext.Default.Workload, informerOptions);
        DaemonSets = new(client, ResourceTypes.DaemonSets, ModelJsonContext.Default.Workload, informerOptions);
        StatefulSets = new(client, ResourceTypes.StatefulSets, ModelJsonContext.Default.Workload, informerOptions);

        // Only the Secrets MeshBridge writes (egress-mtls certificates): a cluster's other Secrets are none of its business.
        OwnedSecrets = new(client, ResourceTypes.Secrets, KubernetesJsonContext.Default.GenericObject,
            informerOptions with { LabelSelector = $"{MeshBridge.Transform.MeshAnnotations.ManagedByLabel}={MeshBridge.Transform.MeshAnnotations.ManagedByValue}" });

        // Only the API server's own Service: its addresses are what a NIC sidecar must not capture.
        ApiServerEndpoints = new(client, ResourceTypes.EndpointSlices, KubernetesJsonContext.Default.GenericObject,
            informerOptions with { Namespace = "default", LabelSelector = "kubernetes.io/service-name=kubernetes" });
        ApiServerService = new(client, ResourceTypes.Services, KubernetesJsonContext.Default.GenericObject,
            informerOptions with { Namespace = "default", FieldSelector = "metadata.name=kubernetes" });

        IngressClasses = new(client, ResourceTypes.IngressClasses, KubernetesJsonContext.Default.GenericObject, informerOptions);
        // Every namespace, not only the selected ones: NIC's own namespace gives the Istio revision even when the
        // namespace selector leaves it out.
        Namespaces = new(client, ResourceTypes.Namespaces, KubernetesJsonContext.Default.GenericObject, informerOptions);
        // The whole root namespace: the mesh ConfigMap is istio or istio-<rev>, and a field selector cannot say "or".
        IstioConfigMaps = new(client, ResourceTypes.ConfigMaps, KubernetesJsonContext.Default.GenericObject,
            informerOptions with { Namespace = options.IstioNamespace });
    }

    public Informer<GenericObject> ApiServerService { get; }

    /// <summary>The <c>kubernetes</c> Service's EndpointSlices: the API server's own addresses.</summary>
    public Informer<GenericObject> ApiServerEndpoints { get; }

    public Informer<GenericObject> OwnedSecrets { get; }

    /// <summary>The <c>kubernetes</c> Service's cluster IPs (excludeOutboundIPRanges for sidecar mode).</summary>
    public IReadOnlyList<string> ApiServerAddresses
    {
        get
        {
            // The cluster IPs are what NIC dials; the endpoints are where kube-proxy sends it. Excluding both keeps
            // the API server reachable whichever the sidecar's capture sees.
            var service = ApiServerService.Get("default", "kubernetes");
            var addresses = new List<string>();
            if (service?.Extra?.GetValueOrDefault("spec") is { ValueKind: System.Text.Json.JsonValueKind.Object } spec)
            {
                if (spec.TryGetProperty("clusterIPs", out var ips) && ips.ValueKind == System.Text.Json.JsonValueKind.Array)
                {
                    addresses.AddRange(ips.EnumerateArray().Select(ip => ip.GetString()).OfType<string>().Where(ip => ip is { Length: > 0 } && ip != "None"));
                }
                else if (spec.TryGetProperty("clusterIP", out var ip) && ip.GetString() is { Length: > 0 } one && one != "None")
                {
                    addresses.Add(one);
                }
            }

            var endpoints = ApiServerEndpoints.List("default")
                .SelectMany(slice => slice.Extra?.GetValueOrDefault("endpoints") is { ValueKind: System.Text.Json.JsonValueKind.Array } list ? list.EnumerateArray() : [])
                .SelectMany(endpoint => endpoint.TryGetProperty("addresses", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array ? list.EnumerateArray() : [])
                .Select(address => address.GetString())
                .OfType<string>()
                .Where(address => address.Length > 0)
                .Order(StringComparer.Ordinal);
            return addresses.Concat(endpoints).Distinct(StringComparer.Ordinal).ToList();
        }
    }

    public Informer<VirtualServer> VirtualServers { get; }

    public Informer<VirtualServerRoute> VirtualServerRoutes { get; }

    public Informer<Policy> Policies { get; }

    public Informer<Workload> Deployments { get; }

    public Informer<Workload> DaemonSets { get; }

    public Informer<Workload> StatefulSets { get; }

    public Informer<GenericObject> IngressClasses { get; }

    public Informer<GenericObject> Namespaces { get; }

    /// <summary>The ConfigMaps of Istio's root namespace (<see cref="ControllerOptions.IstioNamespace"/>).</summary>
    public Informer<GenericObject> IstioConfigMaps { get; }

    public bool HasSynced =>
        VirtualServers.HasSynced && VirtualServerRoutes.HasSynced && Policies.HasSynced &&
        Deployments.HasSynced && DaemonSets.HasSynced && StatefulSets.HasSynced && ApiServerService.HasSynced && ApiServerEndpoints.HasSynced && OwnedSecrets.HasSynced &&
        IngressClasses.HasSynced && Namespaces.HasSynced && IstioConfigMaps.HasSynced;

    public bool IsNicIngressClass(string name) => MeshFacts.IsNicIngressClass(IngressClasses.Get(null, name));

    /// <summary>The mesh ConfigMap's facts for a revision: trust domain, the ConfigMap read, and any problem with it.</summary>
    public MeshConfigFacts MeshConfig(string? revision) => MeshFacts.MeshConfig(IstioConfigMaps.List(options.IstioNamespace), revision);

    /// <summary>
    /// The mesh root bundle istiod (or istio-csr) publishes: ConfigMap <c>istio-ca-root-cert</c>, key
    /// <c>root-cert.pem</c>, in Istio's namespace (the copy every namespace gets); null while there is none.
    /// </summary>
    public string? PublishedMeshRoot =>
        IstioConfigMaps.Get(options.IstioNamespace, IstioCaCertificateSource.RootConfigMap)?.Extra?.GetValueOrDefault("data") is { ValueKind: JsonValueKind.Object } data &&
        data.TryGetProperty(IstioCaCertificateSource.RootKey, out var pem) && pem.ValueKind == JsonValueKind.String && pem.GetString() is { Length: > 0 } root
            ? root
            : null;

    /// <summary>The trust domain for a revision (<c>cluster.local</c> when unset or unreadable; see <see cref="MeshConfig"/> for the problem).</summary>
    public string TrustDomain(string? revision) => MeshConfig(revision).TrustDomain;

    /// <summary>The namespace's <c>istio.io/rev</c> label; null for the default revision, an <c>istio-injection</c> label, or an unknown namespace.</summary>
    public string? IstioRevisionOf(string ns) => MeshFacts.IstioRevisionOf(Namespaces.Get(null, ns));

    /// <summary>The revision to enroll NIC with: <see cref="ControllerOptions.IstioRevision"/> when set, else NIC's namespace's.</summary>
    public string? EffectiveIstioRevision(string nicNamespace) =>
        string.IsNullOrEmpty(options.IstioRevision) ? IstioRevisionOf(nicNamespace) : options.IstioRevision;

    /// <summary>Whether MeshBridge handles this namespace under <see cref="ControllerOptions.NamespaceSelector"/>.</summary>
    public bool NamespaceSelected(string ns) => MeshFacts.NamespaceSelected(options.NamespaceSelector, Namespaces.Get(null, ns));

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        VirtualServers.RunAsync(cancellationToken), VirtualServerRoutes.RunAsync(cancellationToken), Policies.RunAsync(cancellationToken),
        Deployments.RunAsync(cancellationToken), DaemonSets.RunAsync(cancellationToken), StatefulSets.RunAsync(cancellationToken),
        ApiServerService.RunAsync(cancellationToken), ApiServerEndpoints.RunAsync(cancellationToken), OwnedSecrets.RunAsync(cancellationToken), IngressClasses.RunAsync(cancellationToken),
        Namespaces.RunAsync(cancellationToken), IstioConfigMaps.RunAsync(cancellationToken));

    public async Task WaitForSyncAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            VirtualServers.WaitForSyncAsync(cancellationToken), VirtualServerRoutes.WaitForSyncAsync(cancellationToken), Policies.WaitForSyncAsync(cancellationToken),
            Deployments.WaitForSyncAsync(cancellationToken), DaemonSets.WaitForSyncAsync(cancellationToken), StatefulSets.WaitForSyncAsync(cancellationToken),
            ApiServerService.WaitForSyncAsync(cancellationToken), ApiServerEndpoints.WaitForSyncAsync(cancellationToken), OwnedSecrets.WaitForSyncAsync(cancellationToken), IngressClasses.WaitForSyncAsync(cancellationToken),
            Namespaces.WaitForSyncAsync(cancellationToken), IstioConfigMaps.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
    }
}
