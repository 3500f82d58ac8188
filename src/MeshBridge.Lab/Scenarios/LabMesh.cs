using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer;

namespace MeshBridge.Lab.Scenarios;

/// <summary>
/// What istiod (and the cluster) would have done for a lab Istio CA to serve a loaded scenario: the mesh root in
/// every namespace's <c>istio-ca-root-cert</c> ConfigMap, and the service accounts the workloads run as, so a
/// TokenRequest for NIC's identity works.
/// </summary>
public static class LabMesh
{
    public const string RootConfigMap = "istio-ca-root-cert";

    public const string RootKey = "root-cert.pem";

    private static readonly string[] WorkloadResources = ["apps/v1/deployments", "apps/v1/daemonsets", "apps/v1/statefulsets"];

    /// <summary>Writes <paramref name="rootPem"/> as <c>root-cert.pem</c> of <c>istio-ca-root-cert</c> in every namespace of the lab.</summary>
    public static void PublishRoot(LabApiServer server, string rootPem)
    {
        ArgumentNullException.ThrowIfNull(server);
        foreach (var ns in server.Store.List("v1/namespaces", null).Items.Select(n => n["metadata"]!["name"]!.GetValue<string>()))
        {
            var key = new StoreKey("v1/configmaps", ns, RootConfigMap);
            if (server.Store.Get(key) is { } existing)
            {
                existing["data"] = new JsonObject { [RootKey] = rootPem };
                server.Store.Update(key, existing, hasGeneration: false);
            }
            else
            {
                server.Seed(new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ConfigMap",
                    ["metadata"] = new JsonObject { ["name"] = RootConfigMap, ["namespace"] = ns, ["labels"] = new JsonObject { ["istio.io/config"] = "true" } },
                    ["data"] = new JsonObject { [RootKey] = rootPem },
                });
            }
        }
    }

    /// <summary>Creates the service accounts the lab's Deployments, DaemonSets and StatefulSets run as where they are missing.</summary>
    public static void EnsureServiceAccounts(LabApiServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var accounts = WorkloadResources
            .SelectMany(r => server.Store.List(r, null).Items)
            .Select(w => (Namespace: w["metadata"]?["namespace"]?.GetValue<string>() ?? "default",
                Name: w["spec"]?["template"]?["spec"]?["serviceAccountName"]?.GetValue<string>() is { Length: > 0 } sa ? sa : "default"))
            .Distinct();
        foreach (var (ns, name) in accounts)
        {
            if (server.Store.Get(new StoreKey("v1/serviceaccounts", ns, name)) is null)
            {
                server.Seed(new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ServiceAccount",
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                });
            }
        }
    }
}
