using System.Text.Json;
using MeshBridge.Controller.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshBridge.Controller.Tests.Integration;

/// <summary>The controller's JSON logs say what it decided and wrote, one JSON object a line, never key material.</summary>
public sealed class DecisionLogTests
{
    [Fact]
    public async Task Each_write_status_change_and_problem_is_logged_as_a_JSON_line_without_key_material()
    {
        await using var lab = await ControllerLab.StartAsync();
        var captured = new StringWriter();
        var original = Console.Error;
        Console.SetError(captured);
        List<JsonElement> lines;
        var certificates = new TestCertificateSource();
        try
        {
            var services = new ServiceCollection().AddLogging(b => b.AddControllerJsonLogs(LogLevel.Information)).BuildServiceProvider();
            await using (services.ConfigureAwait(false))
            {
                lab.StartController(certificates: certificates, loggerFactory: services.GetRequiredService<ILoggerFactory>());
                await lab.ConvergedAsync();
                await lab.StopControllerAsync();
            }
        }
        finally
        {
            Console.SetError(original);
        }

        var text = captured.ToString();
        lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var messages = lines.Select(l => l.GetProperty("Message").GetString()).ToList();
        Assert.Contains("patch VirtualServer demo-meshed/nic-meshed.example.com", messages);
        Assert.Contains("patch Deployment nginx-ingress/nginx-ingress-sidecar", messages);
        Assert.Contains("create Secret demo-meshed/meshbridge-mtls.nginx-ingress.nginx-ingress.tls", messages);
        Assert.Contains("VirtualServer demo-meshed/nic-meshed.example.com: Meshed: sidecar", messages);
        Assert.All(lines, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", l.GetProperty("Timestamp").GetString()));
        var key = (await certificates.GetAsync(new MeshBridge.Controller.Certificates.MeshIdentity(new Transform.NicIdentity("nginx-ingress", "nginx-ingress"), "cluster.local"), CancellationToken.None))!.PrivateKeyPem;
        Assert.DoesNotContain(key.Split('\n')[1], text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
    }
}
