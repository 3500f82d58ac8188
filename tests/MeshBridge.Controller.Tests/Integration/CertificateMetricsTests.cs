using System.Globalization;
using System.Text.Json.Nodes;
using MeshBridge.Controller.Certificates;
using MeshBridge.Controller.Operations;
using MeshBridge.Kubernetes.Client;

namespace MeshBridge.Controller.Tests.Integration;

public sealed class CertificateMetricsTests
{
    private const string Expiration = "meshbridge_certificate_expiration_timestamp_seconds{namespace=\"nginx-ingress\",service_account=\"nginx-ingress\"}";
    private const string Failures = "meshbridge_certificate_renewal_failures_total{namespace=\"nginx-ingress\",service_account=\"nginx-ingress\"}";

    [Fact]
    public async Task Metrics_show_when_NIC_s_certificate_expires_and_how_often_asking_for_one_failed()
    {
        await using var lab = await ControllerLab.StartAsync();
        var issuer = new TestCertificateSource { Failure = new InvalidOperationException("the Istio CA is unavailable") };
        var certificates = new RotatingCertificateSource(issuer, TimeProvider.System, new RotationOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(50) });
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        using var http = new HttpClient();
        var running = Task.Run(() => ControllerHost.RunAsync(lab.NewMeshBridgeClient(), new ControllerOptions(), new ControllerHostOptions
        {
            Operations = new OperationsServerOptions { MetricsBindAddress = "127.0.0.1:0", HealthProbeBindAddress = "127.0.0.1:0" },
        }, certificates, (metrics, _) => listening.TrySetResult(metrics!), stop.Token));
        var metricsAddress = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var failed = await SampleAsync(http, metricsAddress, Failures, v => v >= 1);
        issuer.Failure = null;

        // The waiting VirtualServer is looked at again a minute later; a change brings it sooner. The source may still
        // be backing off from its last failure for a moment, so each look is a new change.
        var touch = 0;
        var expires = await SampleAsync(http, metricsAddress, Expiration, v => v > 0, () => lab.Client.PatchAsync(ResourceTypes.VirtualServers, "demo-meshed", "nic.example.com",
            new V1Patch(JsonNode.Parse($$"""{"metadata":{"labels":{"touched":"{{++touch}}"} } }""")!, PatchType.MergePatch)));
        var issued = await certificates.GetAsync(new MeshIdentity(new Transform.NicIdentity("nginx-ingress", "nginx-ingress"), "cluster.local"), CancellationToken.None);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(failed >= 1);
        Assert.Equal(issued!.NotAfter.ToUnixTimeSeconds(), (long)expires);
    }

    /// <summary>Scrapes /metrics until the series satisfies <paramref name="condition"/> (the controller retries on its own).</summary>
    private static async Task<double> SampleAsync(HttpClient http, Uri metrics, string series, Func<double, bool> condition, Func<Task>? nudge = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var text = await http.GetStringAsync(new Uri(metrics, "/metrics"));
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
            if (line is not null && double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture) is var value && condition(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{series} never satisfied the condition; last scrape:\n{text}");
            if (nudge is not null)
            {
                await nudge();
            }

            await Task.Yield();
        }
    }
}
