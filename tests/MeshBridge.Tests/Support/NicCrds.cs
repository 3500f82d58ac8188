using System.Text.Json.Nodes;
using MeshBridge.Lab.Crds;
using MeshBridge.Manifests;

namespace MeshBridge.Tests.Support;

/// <summary>The real NIC CRD schemas, by kind.</summary>
internal static class NicCrds
{
    private static readonly Lazy<Dictionary<string, (JsonNode Crd, StructuralSchema Schema)>> Loaded = new(Load);

    public static StructuralSchema SchemaFor(string kind) => Loaded.Value[kind].Schema;

    public static JsonObject OpenApiSchemaFor(string kind) =>
        (JsonObject)Loaded.Value[kind].Crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!;

    private static Dictionary<string, (JsonNode, StructuralSchema)> Load()
    {
        var result = new Dictionary<string, (JsonNode, StructuralSchema)>();
        foreach (var (kind, file) in new[]
        {
            ("VirtualServer", "k8s.nginx.org_virtualservers.yaml"),
            ("VirtualServerRoute", "k8s.nginx.org_virtualserverroutes.yaml"),
            ("Policy", "k8s.nginx.org_policies.yaml"),
        })
        {
            var crd = ManifestReader.Read(File.ReadAllText(Repo.SharedCrd(file)), file).Single().Node!;
            result[kind] = (crd, StructuralSchema.FromCrd(crd, "v1"));
        }

        return result;
    }
}
