using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using MeshBridge.Lab.ApiServer;

namespace MeshBridge.Kubernetes.Tests.Client;

/// <summary>A kubeconfig whose user is an exec credential plugin (as EKS/GKE/AKS write them), against the lab.</summary>
public sealed class ExecPluginLabTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_kubeconfig_with_an_exec_plugin_authenticates_to_the_lab()
    {
        await using var server = await LabApiServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("meshbridge-exec-");
        try
        {
            var plugin = Path.Combine(directory.FullName, "get-token.sh");
            var calls = Path.Combine(directory.FullName, "calls");
            File.WriteAllText(plugin,
                "#!/bin/sh\n" +
                $"echo call >> \"{calls}\"\n" +
                "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$LAB_TOKEN\"\n");
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var kubeconfig = server.Kubeconfig().Replace($"    token: {server.AdminToken}", $$"""
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: ./get-token.sh
                      interactiveMode: Never
                      env:
                      - name: LAB_TOKEN
                        value: {{server.AdminToken}}
                """.TrimEnd(), StringComparison.Ordinal);
            var path = Path.Combine(directory.FullName, "kubeconfig");
            File.WriteAllText(path, kubeconfig);

            using var client = new Kubernetes.Client.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
            var namespaces = await client.ListAsync(ResourceTypes.Namespaces, null);
            await client.ListAsync(ResourceTypes.ConfigMaps, "default");

            Assert.Contains(namespaces.Items, n => n["metadata"]!["name"]!.ToString() == "kube-system");
            Assert.Single(File.ReadAllLines(calls));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
