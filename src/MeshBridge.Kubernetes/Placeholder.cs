namespace MeshBridge.Kubernetes;

/// <summary>The Kubernetes client's assembly marker; its pieces live in Client/, Caching/, Queues/, LeaderElection/.</summary>
internal static class AssemblyMarker;
