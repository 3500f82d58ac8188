namespace MeshBridge.Grpc.Tests.GrpcJs;

/// <summary>One grpc-js server for every interop test class: starting node costs about a second.</summary>
[CollectionDefinition(Name)]
public sealed class InteropCollection : ICollectionFixture<InteropServer>
{
    public const string Name = "grpc-js interop";
}
