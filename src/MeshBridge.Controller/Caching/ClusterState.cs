using MeshBridge.Kubernetes.Caching;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform.Model;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller.Caching;

/// <summary>The informer caches the reconcilers read from: NIC resources, NIC workloads, IngressClasses, Services.</summary>
public sealed class ClusterState
{
    public ClusterState(KubernetesApi client, ControllerOptions options)
    {
        var informerOptions = new InformerOptions { ResyncPeriod = options.ResyncPeriod, Time = options.Time };
        VirtualServers = new(client, ResourceTypes.VirtualServers, ModelJsonContext.Default.VirtualServer, informerOptions);
        VirtualServerRoutes = new(client, ResourceTypes.VirtualServerRoutes, ModelJsonContext.Default.VirtualServerRoute, informerOptions);
        Policies = new(client, ResourceTypes.Policies, ModelJsonContext.Default.Policy, informerOptions);
        Deployments = new(client, ResourceTypes.Deployments, ModelJsonContext.Default.Workload, informerOptions);
        DaemonSets = new(client, ResourceTypes.DaemonSets, ModelJsonContext.Default.Workload, informerOptions);
        StatefulSets = new(client, ResourceTypes.StatefulSets, ModelJsonContext.Default.Workload, informerOptions);

        // Only the Secrets MeshBridge writes (egress-mtls certificates): a cluster's other Secrets are none of its business.
        OwnedSecrets = new(client, ResourceTypes.Secrets, KubernetesJsonContext.Default.GenericObject,
            informerOptions with { LabelSelector = $"{MeshBridge.Transform.MeshAnnotations.ManagedByLabel}={MeshBridge.Transform.MeshAnnotations.ManagedByValue}" });

        // Only the API server's own Service: its addresses are what a NIC sidecar must not capture.
        ApiServerService = new(client, ResourceTypes.Services, KubernetesJsonContext.Default.GenericObject,
            informerOptions with { Namespace = "default", FieldSelector = "metadata.name=kubernetes" });
    }

    public Informer<GenericObject> ApiServerService { get; }

    public Informer<GenericObject> OwnedSecrets { get; }

    /// <summary>The <c>kubernetes</c> Service's cluster IPs (excludeOutboundIPRanges for sidecar mode).</summary>
    public IReadOnlyList<string> ApiServerAddresses
    {
        get
        {
            var service = ApiServerService.Get("default", "kubernetes");
            if (service?.Extra?.GetValueOrDefault("spec") is not { ValueKind: System.Text.Json.JsonValueKind.Object } spec)
            {
                return [];
            }

            if (spec.TryGetProperty("clusterIPs", out var ips) && ips.ValueKind == System.Text.Json.JsonValueKind.Array)
            {
                return ips.EnumerateArray().Select(ip => ip.GetString()).OfType<string>().Where(ip => ip != "None").ToList();
            }

            return spec.TryGetProperty("clusterIP", out var ip) && ip.GetString() is { Length: > 0 } one && one != "None" ? [one] : [];
        }
    }

    public Informer<VirtualServer> VirtualServers { get; }

    public Informer<VirtualServerRoute> VirtualServerRoutes { get; }

    public Informer<Policy> Policies { get; }

    public Informer<Workload> Deployments { get; }

    public Informer<Workload> DaemonSets { get; }

    public Informer<Workload> StatefulSets { get; }

    public bool HasSynced =>
        VirtualServers.HasSynced && VirtualServerRoutes.HasSynced && Policies.HasSynced &&
        Deployments.HasSynced && DaemonSets.HasSynced && StatefulSets.HasSynced && ApiServerService.HasSynced && OwnedSecrets.HasSynced;

    public IEnumerable<Workload> Workloads =>
        Deployments.List().Select(w => w with { Kind = "Deployment" })
            .Concat(DaemonSets.List().Select(w => w with { Kind = "DaemonSet" }))
            .Concat(StatefulSets.List().Select(w => w with { Kind = "StatefulSet" }));

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        VirtualServers.RunAsync(cancellationToken), VirtualServerRoutes.RunAsync(cancellationToken), Policies.RunAsync(cancellationToken),
        Deployments.RunAsync(cancellationToken), DaemonSets.RunAsync(cancellationToken), StatefulSets.RunAsync(cancellationToken),
        ApiServerService.RunAsync(cancellationToken), OwnedSecrets.RunAsync(cancellationToken));

    public async Task WaitForSyncAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            VirtualServers.WaitForSyncAsync(cancellationToken), VirtualServerRoutes.WaitForSyncAsync(cancellationToken), Policies.WaitForSyncAsync(cancellationToken),
            Deployments.WaitForSyncAsync(cancellationToken), DaemonSets.WaitForSyncAsync(cancellationToken), StatefulSets.WaitForSyncAsync(cancellationToken),
            ApiServerService.WaitForSyncAsync(cancellationToken), OwnedSecrets.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
    }
}
