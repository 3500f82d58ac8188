namespace MeshBridge.Transform;

/// <summary>The mesh facts and overrides the transform decides with. Plain data: no I/O behind any of it.</summary>
public sealed record TransformOptions
{
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>Overrides <c>meshbridge.io/mode</c> on every VirtualServer (and decides NIC enrollment).</summary>
    public MeshMode? ModeOverride { get; init; }

    /// <summary>Overrides <c>meshbridge.io/host-format</c> on every VirtualServer.</summary>
    public HostFormat? HostFormatOverride { get; init; }

    /// <summary>The namespace of objects whose manifest names none (kubectl's default namespace).</summary>
    public string DefaultNamespace { get; init; } = "default";

    /// <summary>The namespace an object lives in: its own, or <see cref="DefaultNamespace"/> when it names none.</summary>
    public string NamespaceOf(Model.V1ObjectMeta metadata) =>
        metadata?.Namespace() is { Length: > 0 } ns ? ns : DefaultNamespace;

    /// <summary>NIC's workload, when given; otherwise NIC is recognised by its container image and args.</summary>
    public WorkloadReference? IngressWorkload { get; init; }

    /// <summary>The NIC identity used when no NIC workload is among the inputs.</summary>
    public NicIdentity DefaultNicIdentity { get; init; } = NicIdentity.Default;

    /// <summary>Istio revision: sidecar enrollment uses <c>istio.io/rev</c> instead of <c>sidecar.istio.io/inject</c>.</summary>
    public string? IstioRevision { get; init; }

    /// <summary>
    /// The revision each namespace asks for (its <c>istio.io/rev</c> label): a NIC instance in one of these is enrolled
    /// with that revision unless <see cref="IstioRevision"/> is set, which wins.
    /// </summary>
    public IReadOnlyDictionary<string, string> NamespaceRevisions { get; init; } = new Dictionary<string, string>();

    /// <summary>The revision to enroll a NIC instance in <paramref name="ns"/> with, or null for the default one.</summary>
    public string? RevisionFor(string ns) =>
        IstioRevision is { Length: > 0 } revision ? revision : NamespaceRevisions.GetValueOrDefault(ns) is { Length: > 0 } label ? label : null;

    /// <summary>API server addresses (IPs or CIDRs) that a NIC sidecar must not capture.</summary>
    public IReadOnlyList<string> ApiServerAddresses { get; init; } = [];
}
