using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>One NIC installation: its workload, the ingress class it serves, its identity and its listener ports.</summary>
public sealed record NicInstance(ResourceKey Workload, string IngressClass, NicIdentity Identity, IReadOnlyList<int> ListenerPorts)
{
    /// <summary>NIC's <c>-ingress-class</c> default.</summary>
    public const string DefaultIngressClass = "nginx";

    private static readonly string[] NicImages = ["nginx-ingress", "nginx-plus-ingress"];
    private static readonly string[] NicFlags = ["-nginx-configmaps", "-ingress-class", "-enable-custom-resources", "-nginx-plus"];

    /// <summary>A VS/VSR/Policy with an empty class is handled by every instance (<c>HasCorrectIngressClass</c>).</summary>
    public bool Serves(string? ingressClassName) => string.IsNullOrEmpty(ingressClassName) || ingressClassName == IngressClass;

    /// <summary>Recognises NIC by its image (<c>nginx/nginx-ingress</c>, <c>nginx-plus-ingress</c>) or its flags.</summary>
    public static bool LooksLikeNic(Workload workload) => NicContainer(workload) is not null;

    public static NicInstance Describe(Workload workload, ResourceKey key)
    {
        var container = NicContainer(workload) ?? workload.Spec?.Template?.Spec?.Containers?.FirstOrDefault();
        var args = container?.Args ?? [];
        var ingressClass = FlagValue(args, "ingress-class") ?? DefaultIngressClass;
        var serviceAccount = workload.Spec?.Template?.Spec?.ServiceAccountName ?? "default";
        return new NicInstance(key, ingressClass, new NicIdentity(key.Namespace, serviceAccount), ListenerPortsOf(container));
    }

    /// <summary>
    /// The ports clients reach NGINX on, which the sidecar must not capture: container ports named http/https
    /// (NIC's manifests and Helm chart) or numbered 80/443; NIC's own defaults when it declares none.
    /// </summary>
    private static List<int> ListenerPortsOf(Container? container)
    {
        var ports = (container?.Ports ?? [])
            .Where(p => p.ContainerPortNumber is { } n && (IsListenerName(p.Name) || n is 80 or 443))
            .Select(p => p.ContainerPortNumber!.Value)
            .Distinct()
            .Order()
            .ToList();
        return ports.Count > 0 ? ports : [80, 443];
    }

    private static bool IsListenerName(string? name) =>
        name is "http" or "https" ||
        name?.StartsWith("http-", StringComparison.Ordinal) == true ||
        name?.StartsWith("https-", StringComparison.Ordinal) == true;

    private static Container? NicContainer(Workload workload) =>
        workload.Spec?.Template?.Spec?.Containers?.FirstOrDefault(c => IsNicImage(c.Image) || (c.Args ?? []).Any(IsNicFlag));

    private static bool IsNicImage(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return false;
        }

        var withoutDigest = image.Split('@')[0];
        var lastSegment = withoutDigest[(withoutDigest.LastIndexOf('/') + 1)..];
        var repository = lastSegment.Split(':')[0];
        return NicImages.Contains(repository, StringComparer.Ordinal);
    }

    private static bool IsNicFlag(string arg) =>
        NicFlags.Any(f => arg == f || arg == "-" + f || arg.StartsWith(f + "=", StringComparison.Ordinal) || arg.StartsWith("-" + f + "=", StringComparison.Ordinal));

    /// <summary>Go's flag package accepts <c>-name=v</c>, <c>--name=v</c>, <c>-name v</c> and <c>--name v</c>.</summary>
    private static string? FlagValue(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i].TrimStart('-');
            if (args[i].StartsWith('-') && arg.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return arg[(name.Length + 1)..];
            }

            if (args[i].StartsWith('-') && arg == name && i + 1 < args.Count)
            {
                return args[i + 1];
            }
        }

        return null;
    }
}
