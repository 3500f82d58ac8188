using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Manifests;

namespace MeshBridge.Lab.Scenarios;

/// <summary>The clusters <c>meshbridge lab</c> can start with.</summary>
public static class LabScenarios
{
    public static readonly IReadOnlyList<string> Names = ["empty", "seed"];

    /// <summary>
    /// Registers NIC's and Istio's kinds, then loads the scenario: "empty" (namespaces and the API server's Service
    /// only) or "seed" (the NIC + Istio blog cluster). istiod puts <c>istio-ca-root-cert</c> in every namespace; the
    /// seed does the same with a lab mesh root of its own, which <c>meshbridge lab</c> replaces with its lab Istio CA's
    /// root (LabMesh.PublishRoot) so the certificates that CA issues chain to what the ConfigMaps hold.
    /// </summary>
    public static void Load(LabApiServer server, string scenario)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.InstallCustomResourceDefinitions(Resource("lab-crds.yaml"), "lab-crds.yaml");
        switch (scenario)
        {
            case "empty":
                return;
            case "seed":
                var root = MeshRootPem();
                foreach (var document in ManifestReader.Read(Resource("seed.yaml"), "seed.yaml").Where(d => d.Node is JsonObject))
                {
                    server.Seed((JsonObject)document.Node!);
                }

                foreach (var ns in new[] { "default", "nginx-ingress", "istio-system", "demo-meshed" })
                {
                    server.Seed(new JsonObject
                    {
                        ["apiVersion"] = "v1",
                        ["kind"] = "ConfigMap",
                        ["metadata"] = new JsonObject { ["name"] = "istio-ca-root-cert", ["namespace"] = ns, ["labels"] = new JsonObject { ["istio.io/config"] = "true" } },
                        ["data"] = new JsonObject { ["root-cert.pem"] = root },
                    });
                }

                return;
            default:
                throw new ArgumentException($"unknown scenario \"{scenario}\"; use one of {string.Join(", ", Names)}", nameof(scenario));
        }
    }

    private static string Resource(string name)
    {
        using var stream = typeof(LabScenarios).Assembly.GetManifestResourceStream($"MeshBridge.Lab.Scenarios.{name}")
            ?? throw new InvalidOperationException($"the lab resource {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A self-signed mesh root like Istio's default (O=cluster.local), for the root ConfigMaps.</summary>
    private static string MeshRootPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("O=cluster.local", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(10));
        return root.ExportCertificatePem() + "\n";
    }
}
