using System.Globalization;
using System.Text.Json;
using MeshBridge.Controller.Caching;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>The NIC instance checks: how its pod template, namespace and running pods are enrolled, and whether that is what the mode needs.</summary>
internal static partial class MeshChecks
{
    private static NicInstanceReport NicReport(Workload workload, NicInstance instance, ClusterSnapshot snapshot, string trustDomain)
    {
        var (enrollment, source) = Enrollment(workload, snapshot.Namespace(instance.Identity.Namespace));
        var pods = snapshot.NicPods.GetValueOrDefault(WorkloadKey(instance)) ?? [];
        return new NicInstanceReport
        {
            Workload = WorkloadKey(instance),
            Pods = pods.Count,
            PodsInMesh = pods.Count(InMesh),
            IngressClass = instance.IngressClass,
            ServiceAccount = instance.Identity.ToString(),
            SpiffeId = instance.Identity.SpiffeId(trustDomain),
            Enrollment = enrollment,
            EnrollmentSource = source,
            EnrolledByMeshBridge = workload.Metadata.Annotation(MeshAnnotations.Applied) is not null,
        };
    }

    /// <summary>What the pod template's labels, else its namespace's, enroll the pods in (reference/istio.md §7).</summary>
    private static (string Enrollment, string? Source) Enrollment(Workload workload, GenericObject? ns)
    {
        var pod = workload.Spec?.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
        var nsLabels = ns?.Metadata.Labels ?? new Dictionary<string, string>();
        var injectLabel = pod.GetValueOrDefault(SidecarInjectLabel);
        if (injectLabel == "true")
        {
            return ("sidecar", $"pod label {SidecarInjectLabel}=true");
        }

        if (injectLabel != "false")
        {
            if (pod.TryGetValue(MeshFacts.RevisionLabel, out var rev))
            {
                return ("sidecar", $"pod label {MeshFacts.RevisionLabel}={rev}");
            }

            if (nsLabels.GetValueOrDefault(MeshFacts.InjectionLabel) == "enabled")
            {
                return ("sidecar", $"namespace label {MeshFacts.InjectionLabel}=enabled");
            }

            if (!nsLabels.ContainsKey(MeshFacts.InjectionLabel) && nsLabels.TryGetValue(MeshFacts.RevisionLabel, out var nsRev))
            {
                return ("sidecar", $"namespace label {MeshFacts.RevisionLabel}={nsRev}");
            }
        }

        if (pod.GetValueOrDefault(DataplaneModeLabel) == "ambient")
        {
            return ("ambient", $"pod label {DataplaneModeLabel}=ambient");
        }

        if (pod.GetValueOrDefault(DataplaneModeLabel) != "none" && nsLabels.GetValueOrDefault(DataplaneModeLabel) == "ambient")
        {
            return ("ambient", $"namespace label {DataplaneModeLabel}=ambient");
        }

        return ("none", null);
    }

    /// <summary>A pod really in the mesh: the injected <c>istio-proxy</c> (container, or native sidecar init container), or istio-cni's ambient redirection.</summary>
    private static bool InMesh(GenericObject pod)
    {
        if (pod.Metadata.Annotation("ambient.istio.io/redirection") == "enabled")
        {
            return true;
        }

        return pod.Extra?.GetValueOrDefault("spec") is { ValueKind: JsonValueKind.Object } spec &&
            new[] { "containers", "initContainers" }.Any(field => spec.TryGetProperty(field, out var list) && list.ValueKind == JsonValueKind.Array &&
                list.EnumerateArray().Any(c => c.TryGetProperty("name", out var name) && name.GetString() == "istio-proxy"));
    }

    private static void CheckInstances(MeshMode mode, VirtualServer server, List<NicInstanceReport> instances, Problems problems)
    {
        if (instances.Count == 0)
        {
            var ingressClass = string.IsNullOrEmpty(server.Spec?.IngressClassName) ? "(none: every NIC instance)" : server.Spec!.IngressClassName;
            problems.Add(ProblemCodes.NicInstanceNotFound, ProblemSeverity.Error, $"VirtualServer {problems.Namespace}/{server.Metadata.Name}",
                $"no NIC instance serves ingress class {ingressClass}: no IngressClass of controller {MeshFacts.NicController} with a NIC Deployment, DaemonSet or StatefulSet running -ingress-class for it");
            return;
        }

        foreach (var nic in instances)
        {
            var subject = $"NIC {nic.Workload}";
            if (mode == MeshMode.EgressMtls && nic.Enrollment != "none" && !problems.Has("EnrolledOutsideMeshBridge"))
            {
                problems.Add(ProblemCodes.NicEnrolled, ProblemSeverity.Error, subject,
                    $"egress-mtls needs NIC outside the mesh dataplane, but its pods are enrolled in {nic.Enrollment} ({nic.EnrollmentSource})");
            }
            else if (mode == MeshMode.EgressMtls && nic.PodsInMesh > 0)
            {
                problems.Add(ProblemCodes.NicEnrolled, ProblemSeverity.Error, subject,
                    $"egress-mtls needs NIC outside the mesh dataplane, but {nic.PodsInMesh} of its {nic.Pods} running pods are in the mesh (an istio-proxy container or ambient redirection)");
            }
            else if (mode.UsesClusterIP() && nic.Enrollment == mode.ToName() && nic.PodsInMesh < nic.Pods)
            {
                problems.Add(ProblemCodes.NicPodsNotInMesh, ProblemSeverity.Error, subject,
                    $"the pod template enrolls NIC in {nic.Enrollment}, but {nic.Pods - nic.PodsInMesh} of its {nic.Pods} running pods are not in the mesh ({(mode == MeshMode.Sidecar ? "no istio-proxy container" : "no ambient.istio.io/redirection: enabled")})");
            }
            else if (mode.UsesClusterIP() && nic.Enrollment != mode.ToName())
            {
                problems.Add(ProblemCodes.NicNotEnrolled, ProblemSeverity.Error, subject,
                    nic.Enrollment == "none"
                        ? $"mode {mode.ToName()} needs NIC's pods enrolled in {mode.ToName()}, but neither their pod template nor namespace enrolls them"
                        : $"mode {mode.ToName()} needs NIC's pods enrolled in {mode.ToName()}, but they are enrolled in {nic.Enrollment} ({nic.EnrollmentSource})");
            }
        }
    }
}
