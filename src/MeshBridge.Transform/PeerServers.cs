namespace MeshBridge.Transform;

/// <summary>
/// VirtualServers outside the transform's input that ask for one mode on one ingress class, summarised: how many,
/// and a few of them by name for messages. They count for decisions made per NIC instance (enrollment and its
/// conflicts) but are never changed or validated. The controller passes these instead of every object, so one
/// reconcile costs the same with ten VirtualServers in the cluster or ten thousand.
/// </summary>
/// <param name="IngressClass">Their <c>spec.ingressClassName</c>; empty is served by every NIC instance.</param>
/// <param name="Mode">The mode their <c>meshbridge.io/mode</c> annotation asks for (none when absent).</param>
/// <param name="Count">How many VirtualServers ask this.</param>
/// <param name="Examples">Some of them, for messages.</param>
public sealed record PeerServers(string? IngressClass, MeshMode Mode, int Count, IReadOnlyList<ResourceKey> Examples);
