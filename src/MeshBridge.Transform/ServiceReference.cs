namespace MeshBridge.Transform;

/// <summary>An upstream's <c>service</c>: <c>svc</c>, or <c>ns/svc</c> across namespaces (NIC v5.3+).</summary>
internal sealed record ServiceReference(string? Namespace, string Name)
{
    public static ServiceReference? Parse(string? service)
    {
        if (string.IsNullOrEmpty(service))
        {
            return null;
        }

        var slash = service.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return NicValidation.IsDns1035Label(service) ? new ServiceReference(null, service) : null;
        }

        var ns = service[..slash];
        var name = service[(slash + 1)..];
        return NicValidation.IsDns1123Label(ns) && NicValidation.IsDns1035Label(name) ? new ServiceReference(ns, name) : null;
    }

    /// <summary>The Host header Istio routes on for this Service (DESIGN.md §1, meshbridge.io/host-format).</summary>
    public string Host(string resourceNamespace, HostFormat format, string clusterDomain)
    {
        var ns = Namespace ?? resourceNamespace;
        return format == HostFormat.Short ? $"{Name}.{ns}" : $"{Name}.{ns}.svc.{clusterDomain}";
    }
}
