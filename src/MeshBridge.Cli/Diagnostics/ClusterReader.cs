using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>Reads a <see cref="ClusterSnapshot"/> through MeshBridge's Kubernetes client.</summary>
internal static class ClusterReader
{
    /// <summary>Istio serves PeerAuthentication as v1 since 1.22; older meshes serve only v1beta1 (same objects).</summary>
    public static readonly ResourceType PeerAuthenticationsV1 = new("security.istio.io", "v1", "peerauthentications", "PeerAuthentication");

    public static readonly ResourceType PeerAuthenticationsV1Beta1 = new("security.istio.io", "v1beta1", "peerauthentications", "PeerAuthentication");

    public static readonly ResourceType Pods = new(string.Empty, "v1", "pods", "Pod");

    public static async Task<ClusterSnapshot> ReadAsync(KubernetesApi client, DiagnosticsOptions options, CancellationToken cancellationToken)
    {
        var servers = await ListAsync(client, ResourceTypes.VirtualServers, null, ModelJsonContext.Default.VirtualServer, cancellationToken).ConfigureAwait(false);
        var routes = await ListAsync(client, ResourceTypes.VirtualServerRoutes, null, ModelJsonContext.Default.VirtualServerRoute, cancellationToken).ConfigureAwait(false);
        var policies = await ListAsync(client, ResourceTypes.Policies, null, ModelJsonContext.Default.Policy, cancellationToken).ConfigureAwait(false);
        var workloads = new List<Workload>();
        foreach (var type in new[] { ResourceTypes.Deployments, ResourceTypes.DaemonSets, ResourceTypes.StatefulSets })
        {
            var found = await ListAsync(client, type, null, ModelJsonContext.Default.Workload, cancellationToken).ConfigureAwait(false);
            workloads.AddRange(found.Select(w => w with { Kind = type.Kind }));
        }

        var generic = KubernetesJsonContext.Default.GenericObject;
        var snapshot = new ClusterSnapshot
        {
            VirtualServers = servers,
            VirtualServerRoutes = routes,
            Policies = policies,
            Workloads = workloads,
            IngressClasses = await ListAsync(client, ResourceTypes.IngressClasses, null, generic, cancellationToken).ConfigureAwait(false),
            Namespaces = await ListAsync(client, ResourceTypes.Namespaces, null, generic, cancellationToken).ConfigureAwait(false),
            IstioConfigMaps = await ListAsync(client, ResourceTypes.ConfigMaps, options.IstioNamespace, generic, cancellationToken).ConfigureAwait(false),
            PeerAuthentications = await PeerAuthenticationsAsync(client, cancellationToken).ConfigureAwait(false),
            IstioNamespace = options.IstioNamespace,
        };

        var services = new Dictionary<string, GenericObject>(StringComparer.Ordinal);
        var pods = new Dictionary<string, IReadOnlyList<GenericObject>>(StringComparer.Ordinal);
        var forbidden = new HashSet<string>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, GenericObject>(StringComparer.Ordinal);
        foreach (var server in servers.Where(s => s.Metadata.Annotation(MeshAnnotations.Mode) is not null))
        {
            var ns = server.Metadata.Namespace() ?? "default";
            foreach (var upstream in server.Spec?.Upstreams ?? [])
            {
                if (MeshChecks.ServiceKey(upstream.Service, ns) is { } key && !services.ContainsKey(key))
                {
                    await GetIntoAsync(client, ResourceTypes.Services, key, services, cancellationToken).ConfigureAwait(false);
                }
            }

            var instances = MeshChecks.ServingInstances(server, snapshot, options.IngressWorkload);
            foreach (var (workload, instance) in instances)
            {
                var workloadKey = MeshChecks.WorkloadKey(instance);
                if (!pods.ContainsKey(workloadKey) && MeshChecks.PodSelector(workload) is { } selector)
                {
                    try
                    {
                        pods[workloadKey] = await ListAsync(client, Pods, instance.Workload.Namespace, KubernetesJsonContext.Default.GenericObject, cancellationToken, selector).ConfigureAwait(false);
                    }
                    catch (KubernetesException e) when (e.StatusCode == System.Net.HttpStatusCode.Forbidden)
                    {
                        // Without list on pods, the pod template and namespace labels still tell the enrollment.
                    }
                }
            }

            foreach (var identity in instances.Select(i => i.Instance.Identity).Distinct())
            {
                foreach (var name in new[] { EgressMtlsPolicyBuilder.TlsSecretName(identity), EgressMtlsPolicyBuilder.CaSecretName(identity) })
                {
                    try
                    {
                        await GetIntoAsync(client, ResourceTypes.Secrets, $"{ns}/{name}", secrets, cancellationToken).ConfigureAwait(false);
                    }
                    catch (KubernetesException e) when (e.StatusCode == System.Net.HttpStatusCode.Forbidden)
                    {
                        forbidden.Add($"{ns}/{name}");
                    }
                }
            }
        }

        return snapshot with { Services = services, Secrets = secrets, NicPods = pods, ForbiddenSecrets = forbidden };
    }

    private static async Task<IReadOnlyList<GenericObject>?> PeerAuthenticationsAsync(KubernetesApi client, CancellationToken cancellationToken)
    {
        foreach (var type in new[] { PeerAuthenticationsV1, PeerAuthenticationsV1Beta1 })
        {
            try
            {
                return await ListAsync(client, type, null, KubernetesJsonContext.Default.GenericObject, cancellationToken).ConfigureAwait(false);
            }
            catch (KubernetesException e) when (e.IsNotFound)
            {
                // This version is not served; try the older one.
            }
        }

        return null;
    }

    private static async Task GetIntoAsync(KubernetesApi client, ResourceType type, string key, Dictionary<string, GenericObject> into, CancellationToken cancellationToken)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (await client.TryGetAsync(type, key[..slash], key[(slash + 1)..], cancellationToken).ConfigureAwait(false) is { } found)
        {
            into[key] = KubernetesTypedExtensions.Decode(found, KubernetesJsonContext.Default.GenericObject);
        }
    }

    private static async Task<List<T>> ListAsync<T>(
        KubernetesApi client, ResourceType type, string? ns, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, string? labelSelector = null)
    {
        var list = await client.ListAllAsync(type, ns, new ListOptions { LabelSelector = labelSelector }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return list.Items.Select((JsonObject item) => KubernetesTypedExtensions.Decode(item, typeInfo)).ToList();
    }
}
