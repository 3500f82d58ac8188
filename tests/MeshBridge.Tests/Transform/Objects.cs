using System.Text.Json;
using MeshBridge.Transform.Model;

namespace MeshBridge.Tests.Transform;

/// <summary>Small builders for transform tests: objects from JSON, so each test shows its input plainly.</summary>
internal static class Objects
{
    public static VirtualServer Server(string json) => JsonSerializer.Deserialize(json, ModelJsonContext.Default.VirtualServer)!;

    public static VirtualServerRoute Route(string json) => JsonSerializer.Deserialize(json, ModelJsonContext.Default.VirtualServerRoute)!;

    public static Policy Policy(string json) => JsonSerializer.Deserialize(json, ModelJsonContext.Default.Policy)!;

    public static Workload Workload(string json) => JsonSerializer.Deserialize(json, ModelJsonContext.Default.Workload)!;

    public static string Json<T>(T value) => JsonSerializer.Serialize(value, typeof(T), ModelJsonContext.Default);

    public static VirtualServer SidecarServer(string mode = "sidecar", string annotationsExtra = "") => Server($$$"""
        {"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer",
         "metadata":{"name":"app","namespace":"shop","annotations":{"meshbridge.io/mode":"{{{mode}}}"{{{annotationsExtra}}}}},
         "spec":{"host":"app.example.com","upstreams":[{"name":"app","service":"app","port":80}],
                 "routes":[{"path":"/","action":{"pass":"app"}}]}}
        """);

    public static Workload Nic(string container, string template = """{"labels":{"app":"nic"}}""") => Workload(
        """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nic","namespace":"ingress"},"spec":{"template":{"metadata":""" +
        template + ""","spec":{"serviceAccountName":"nic-sa","containers":[""" + container + "]}}}}");
}
