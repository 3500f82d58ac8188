namespace MeshBridge.Kubernetes.Client;

/// <summary>The resources MeshBridge talks to.</summary>
public static class ResourceTypes
{
    public static readonly ResourceType VirtualServers = new("k8s.nginx.org", "v1", "virtualservers", "VirtualServer");
    public static readonly ResourceType VirtualServerRoutes = new("k8s.nginx.org", "v1", "virtualserverroutes", "VirtualServerRoute");
    public static readonly ResourceType Policies = new("k8s.nginx.org", "v1", "policies", "Policy");
    public static readonly ResourceType Namespaces = new(string.Empty, "v1", "namespaces", "Namespace", Namespaced: false);
    public static readonly ResourceType ConfigMaps = new(string.Empty, "v1", "configmaps", "ConfigMap");
    public static readonly ResourceType Secrets = new(string.Empty, "v1", "secrets", "Secret");
    public static readonly ResourceType Services = new(string.Empty, "v1", "services", "Service");
    public static readonly ResourceType ServiceAccounts = new(string.Empty, "v1", "serviceaccounts", "ServiceAccount");
    public static readonly ResourceType CoreEvents = new(string.Empty, "v1", "events", "Event");
    public static readonly ResourceType Deployments = new("apps", "v1", "deployments", "Deployment");
    public static readonly ResourceType DaemonSets = new("apps", "v1", "daemonsets", "DaemonSet");
    public static readonly ResourceType StatefulSets = new("apps", "v1", "statefulsets", "StatefulSet");
    public static readonly ResourceType Leases = new("coordination.k8s.io", "v1", "leases", "Lease");
    public static readonly ResourceType Events = new("events.k8s.io", "v1", "events", "Event");
    public static readonly ResourceType EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice");
    public static readonly ResourceType IngressClasses = new("networking.k8s.io", "v1", "ingressclasses", "IngressClass", Namespaced: false);
    public static readonly ResourceType TokenReviews = new("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", Namespaced: false);
}
