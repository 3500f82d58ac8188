using MeshBridge.Transform.Model;
using static MeshBridge.Transform.AppliedRecord;

namespace MeshBridge.Transform;

/// <summary>
/// What sidecar and ambient mode change on NIC's pod template (DESIGN.md §2, reference/istio.md §7), and the
/// exact revert. egress-mtls enrolls nothing: NIC itself must stay out of the mesh dataplane.
/// </summary>
internal static class WorkloadEnrollment
{
    public const string SidecarInjectLabel = "sidecar.istio.io/inject";
    public const string RevisionLabel = "istio.io/rev";
    public const string DataplaneModeLabel = "istio.io/dataplane-mode";
    public const string IncludeInboundPorts = "traffic.sidecar.istio.io/includeInboundPorts";
    public const string ExcludeInboundPorts = "traffic.sidecar.istio.io/excludeInboundPorts";
    public const string ExcludeOutboundIPRanges = "traffic.sidecar.istio.io/excludeOutboundIPRanges";
    public const string ProxyConfig = "proxy.istio.io/config";
    public const string BypassInboundCapture = "ambient.istio.io/bypass-inbound-capture";

    // Without it NGINX starts before Envoy and its first API-server and upstream calls fail
    // (kubernetes/ingress-nginx#1968, istio/istio#3533).
    private const string HoldApplication = "holdApplicationUntilProxyStarts";

    /// <summary>The pod-template label that enrolls the pod, if a user (not MeshBridge) put one there.</summary>
    public static string? EnrollmentLabel(Workload workload)
    {
        var labels = workload.Spec?.Template?.Metadata?.Labels;
        if (labels is null)
        {
            return null;
        }

        if (labels.GetValueOrDefault(SidecarInjectLabel) == "true")
        {
            return $"{SidecarInjectLabel}=true";
        }

        if (labels.TryGetValue(RevisionLabel, out var rev))
        {
            return $"{RevisionLabel}={rev}";
        }

        return labels.GetValueOrDefault(DataplaneModeLabel) == "ambient" ? $"{DataplaneModeLabel}=ambient" : null;
    }

    public static Workload Apply(Workload workload, MeshMode mode, NicInstance instance, TransformOptions options, ResourceKey key, DiagnosticBag bag)
    {
        if (!mode.UsesClusterIP() || workload.Spec?.Template is null)
        {
            return workload;
        }

        var template = workload.Spec.Template;
        var podMeta = template.Metadata ?? new V1ObjectMeta();
        var labels = new Dictionary<string, KeyChange>();
        var annotations = new Dictionary<string, KeyChange>();
        var podLabels = podMeta.Labels;
        var podAnnotations = podMeta.Annotations;

        void Label(string k, string v) => podLabels = Set(podLabels, k, v, labels);
        void Annotate(string k, string v) => podAnnotations = Set(podAnnotations, k, v, annotations);

        if (mode == MeshMode.Sidecar)
        {
            if (options.RevisionFor(key.Namespace) is { } revision)
            {
                Label(RevisionLabel, revision);
            }
            else
            {
                Label(SidecarInjectLabel, "true");
            }

            // includeInboundPorts "" turns inbound capture off; excludeInboundPorts also keeps NIC's listeners
            // out should a mesh-wide default turn it back on (NIC's Istio tutorial sets both).
            Annotate(IncludeInboundPorts, string.Empty);
            Annotate(ExcludeInboundPorts, string.Join(',', instance.ListenerPorts));
            if (options.ApiServerAddresses.Count > 0)
            {
                Annotate(ExcludeOutboundIPRanges, string.Join(',', options.ApiServerAddresses.Select(ToCidr)));
            }

            var proxyConfig = podAnnotations?.GetValueOrDefault(ProxyConfig);
            if (proxyConfig is null)
            {
                Annotate(ProxyConfig, $"{HoldApplication}: true");
            }
            else if (!proxyConfig.Contains(HoldApplication, StringComparison.Ordinal))
            {
                bag.Warning(key, $"spec.template.metadata.annotations[\"{ProxyConfig}\"]", DiagnosticReasons.ProxyConfigKept,
                    $"kept the existing {ProxyConfig}; add \"{HoldApplication}: true\" to it so NGINX starts after the sidecar");
            }
        }
        else
        {
            Label(DataplaneModeLabel, "ambient");

            // NIC terminates client traffic itself; ztunnel must only originate NIC's outbound HBONE
            // ("intended for third party ingress controllers", istio/api annotations.yaml).
            Annotate(BypassInboundCapture, "true");
        }

        var record = new AppliedRecord
        {
            Mode = mode.ToName(),
            Labels = labels.Count > 0 ? labels : null,
            PodAnnotations = annotations.Count > 0 ? annotations : null,
            Created = podMeta.Annotations is null && podAnnotations is not null ? ["podAnnotations"] : null,
        };
        var newTemplate = template with { Metadata = podMeta with { Labels = podLabels, Annotations = podAnnotations } };
        return workload with
        {
            Metadata = MetadataEdits.WithRecord(workload.Metadata, record),
            Spec = workload.Spec with { Template = newTemplate },
        };
    }

    public static Workload Revert(Workload workload, AppliedRecord? record)
    {
        if (record is null)
        {
            return workload;
        }

        var template = workload.Spec?.Template;
        if (template?.Metadata is { } podMeta)
        {
            var podAnnotations = Restore(podMeta.Annotations, record.PodAnnotations);
            if (record.Created?.Contains("podAnnotations") == true && podAnnotations is { Count: 0 })
            {
                podAnnotations = null;
            }

            template = template with
            {
                Metadata = podMeta with { Labels = Restore(podMeta.Labels, record.Labels), Annotations = podAnnotations },
            };
            workload = workload with { Spec = workload.Spec! with { Template = template } };
        }

        return workload with { Metadata = MetadataEdits.WithoutRecord(workload.Metadata, record) };
    }

    private static IReadOnlyDictionary<string, string> Set(
        IReadOnlyDictionary<string, string>? map, string key, string value, Dictionary<string, KeyChange> record)
    {
        var was = map?.GetValueOrDefault(key);
        if (was == value)
        {
            return map!;
        }

        record[key] = new KeyChange { Set = value, Was = was };
        return MetadataEdits.With(map, key, value);
    }

    private static IReadOnlyDictionary<string, string>? Restore(
        IReadOnlyDictionary<string, string>? map, Dictionary<string, KeyChange>? record)
    {
        foreach (var (key, change) in record ?? [])
        {
            if (map?.GetValueOrDefault(key) != change.Set)
            {
                continue;
            }

            map = change.Was is null ? MetadataEdits.Without(map, key) : MetadataEdits.With(map, key, change.Was);
        }

        return map;
    }

    private static string ToCidr(string address) =>
        address.Contains('/', StringComparison.Ordinal) ? address : address.Contains(':', StringComparison.Ordinal) ? $"{address}/128" : $"{address}/32";
}
