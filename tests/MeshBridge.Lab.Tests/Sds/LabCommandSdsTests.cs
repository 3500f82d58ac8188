using System.Diagnostics;
using MeshBridge.Lab.Tests.Support;

namespace MeshBridge.Lab.Tests.Sds;

/// <summary><c>meshbridge lab --sds-socket</c> run as a user runs it, its SDS server judged by the grpc-js client.</summary>
public sealed class LabCommandSdsTests
{
    [Fact]
    public async Task The_lab_serves_NICs_identity_over_SDS_on_the_given_socket_and_removes_it_on_SIGTERM()
    {
        var directory = Directory.CreateTempSubdirectory("meshbridge-lab-sds-cli-");
        var socket = Path.Combine(directory.FullName, "sds.sock");
        var start = new ProcessStartInfo("dotnet", [
            Path.Combine(AppContext.BaseDirectory, "meshbridge.dll"), "lab", "--no-controller", "--scenario", "empty",
            "--kubeconfig", Path.Combine(directory.FullName, "kubeconfig"), "--sds-socket", socket, "--sds-flavour", "spire",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var lab = Process.Start(start)!;
        try
        {
            var printed = await LabProcess.ReadUntilAsync(lab, "meshbridge lab: ready");
            Assert.Contains($"lab SDS server: {socket} (spire, serving spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress)", printed, StringComparison.Ordinal);

            var (client, exitCode) = await NodeSdsClient.RunAsync(socket, "--names", "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress,ROOTCA");
            await using (client)
            {
                Assert.True(exitCode == 0, client.Describe());
                Assert.StartsWith("-----BEGIN CERTIFICATE-----", client.Secret(0, "spiffe://cluster.local/ns/nginx-ingress/sa/nginx-ingress")["chain"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.StartsWith("-----BEGIN CERTIFICATE-----", client.Secret(0, "ROOTCA")["trusted_ca"]!.GetValue<string>(), StringComparison.Ordinal);
            }

            Process.Start("kill", ["-TERM", lab.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await lab.WaitForExitAsync(exit.Token);
            Assert.Equal(0, lab.ExitCode);
            Assert.False(File.Exists(socket));
        }
        finally
        {
            if (!lab.HasExited)
            {
                lab.Kill(entireProcessTree: true);
            }

            directory.Delete(recursive: true);
        }
    }

    /// <summary>Everything printed up to and including the line starting with <paramref name="marker"/>.</summary>
}
