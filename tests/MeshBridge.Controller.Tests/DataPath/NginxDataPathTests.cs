using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace MeshBridge.Controller.Tests.DataPath;

/// <summary>
/// issue 5 item 8: a real nginx configured from the transformed VirtualServer, its Policy and Secrets the way NIC
/// renders them, proxying to a stand-in for an Istio sidecar's STRICT inbound listener. Judges: nginx itself, the
/// stand-in's TLS handshake (mesh root, SPIFFE URI SAN), and the openssl CLI for the certificate hash.
/// </summary>
public sealed class NginxDataPathTests
{
    private const string Path = "/httpbin/anything";
    private const string TlsSecret = "meshbridge-mtls.nginx-ingress.nginx-ingress.tls";

    /// <summary>A comma-separated XFCC header as elements, each as (key, value) pairs (values unquoted); quote-aware.</summary>
    private static List<List<(string Key, string Value)>> ParseXfcc(string header) =>
        Split(header, ',').Select(element => Split(element, ';').Select(pair =>
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                return (pair.Trim(), string.Empty);
            }

            var value = pair[(equals + 1)..];
            return (pair[..equals].Trim(), value.Length >= 2 && value[0] == '"' ? value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : value);
        }).ToList()).ToList();

    private static List<string> Split(string text, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && quoted)
            {
                i++;
            }
            else if (text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (text[i] == separator && !quoted)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static string Value(List<(string Key, string Value)> element, string key) =>
        Assert.Single(element, p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The one element the sidecar added, checked against the judge's hash; fails on any other element.</summary>
    private static void AssertOnlyNicsElement(string xfcc, string expectedHash)
    {
        var elements = ParseXfcc(xfcc);
        var element = Assert.Single(elements);
        Assert.Equal(DataPathLab.BackendSpiffeId, Value(element, "By"));
        Assert.Equal(expectedHash, Value(element, "Hash"));
        Assert.Equal(string.Empty, Value(element, "Subject"));
        Assert.Equal(DataPathLab.NicSpiffeId, Value(element, "URI"));
        Assert.DoesNotContain(element, p => p.Key == "DNS");
    }

    [Fact]
    public async Task Nginx_configured_as_NIC_presents_NICs_mesh_identity_to_the_sidecar()
    {
        await using var lab = await DataPathLab.StartAsync();
        var rendering = await lab.RenderAsync();
        await lab.Nginx.ApplyAsync(rendering);

        var (status, body) = await lab.GetAsync(Path);

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} through nginx: {body}\n{lab.Nginx.ErrorLog()}\nrefused: {string.Join("; ", lab.Backend.Refused)}");
        var tls = await lab.SecretAsync(TlsSecret);
        var hash = await lab.OpensslHashAsync(DataPathLab.SecretText(tls, "tls.crt"));
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal($"By={DataPathLab.BackendSpiffeId};Hash={hash};Subject=\"\";URI={DataPathLab.NicSpiffeId}", DataPathLab.Xfcc(body));
        AssertOnlyNicsElement(DataPathLab.Xfcc(body), hash);

        // The route's rewritePath and the Host nginx keeps ($host) reached the app as NIC would send them.
        var answer = JsonNode.Parse(body)!;
        Assert.Equal("/anything", answer["path"]!.GetValue<string>());
        Assert.Equal(DataPathLab.VirtualServerName, answer["host"]!.GetValue<string>());
        Assert.Equal("Tls13", answer["tls"]!.GetValue<string>());
        Assert.Empty(lab.Backend.Refused);

        // What was rendered came from the objects read back: the transformed upstream and route, the Policy, the Secrets.
        var config = rendering.Config;
        Assert.Contains($"server 127.0.0.1:{lab.Backend.Port} ", config, StringComparison.Ordinal);
        Assert.Contains("proxy_pass https://vs_demo-meshed_nic.example.com_httpbin;", config, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header X-Forwarded-Client-Cert \"\";", config, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_protocols TLSv1.2 TLSv1.3;", config, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_verify off;", config, StringComparison.Ordinal);
        var certificateFile = System.IO.Path.Combine(lab.Nginx.SecretDirectory, $"{DataPathLab.Ns}-{TlsSecret}");
        Assert.Contains($"proxy_ssl_certificate {certificateFile};", config, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(certificateFile));
        }
    }

    [Fact]
    public async Task A_client_sent_X_Forwarded_Client_Cert_does_not_reach_the_app()
    {
        await using var lab = await DataPathLab.StartAsync();
        await lab.Nginx.ApplyAsync(await lab.RenderAsync());
        var hash = await lab.OpensslHashAsync(DataPathLab.SecretText(await lab.SecretAsync(TlsSecret), "tls.crt"));
        const string Forged = "By=spiffe://evil;URI=spiffe://cluster.local/ns/x/sa/admin";

        foreach (var name in new[] { "X-Forwarded-Client-Cert", "x-forwarded-client-cert" })
        {
            var (status, body) = await lab.GetAsync(Path, (name, Forged));

            Assert.True(status == HttpStatusCode.OK, $"{(int)status} through nginx: {body}\n{lab.Nginx.ErrorLog()}");
            var xfcc = DataPathLab.Xfcc(body);
            Assert.DoesNotContain("spiffe://evil", xfcc, StringComparison.Ordinal);
            Assert.DoesNotContain("/sa/admin", xfcc, StringComparison.Ordinal);
            AssertOnlyNicsElement(xfcc, hash);
        }
    }

    [Fact]
    public async Task A_certificate_rotation_during_steady_traffic_fails_no_request()
    {
        await using var lab = await DataPathLab.StartAsync();
        await lab.Nginx.ApplyAsync(await lab.RenderAsync());
        var oldSecret = await lab.SecretAsync(TlsSecret);
        var oldPem = DataPathLab.SecretText(oldSecret, "tls.crt");
        var oldHash = await lab.OpensslHashAsync(oldPem);
        Assert.Equal(1, lab.Ca.IssuedCount(DataPathLab.NicSpiffeId));

        using var stop = new CancellationTokenSource();

        // NIC's part: whenever what it watches changes, write the files and reload (a no-op when nothing changed).
        var nic = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await lab.Nginx.ApplyAsync(await lab.RenderAsync());
                await Task.Delay(50, CancellationToken.None);
            }
        });

        var answers = new ConcurrentQueue<(long At, HttpStatusCode Status, string? Hash, string Detail)>();
        var clock = Stopwatch.StartNew();
        // Three clients: two open a connection per request, one keeps its connection alive across the reload.
        var clients = Enumerable.Range(0, 3).Select(client => Task.Run(async () =>
        {
            string? last = null;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var (status, body) = await lab.SendAsync(Path, keepAlive: client == 2);
                    last = status == HttpStatusCode.OK ? Value(Assert.Single(ParseXfcc(DataPathLab.Xfcc(body))), "Hash") : null;
                    answers.Enqueue((clock.ElapsedMilliseconds, status, last, status == HttpStatusCode.OK ? string.Empty : body));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    answers.Enqueue((clock.ElapsedMilliseconds, 0, null, e.Message));
                }
            }

            return last;
        })).ToList();

        Task<bool> Served(string hash, int count) => Task.FromResult(answers.Any(a => a.Status != HttpStatusCode.OK)
            ? throw new Xunit.Sdk.XunitException(Failures([.. answers], lab))
            : answers.Count(a => a.Hash == hash) >= count);
        string? newHash = null;
        try
        {
            // Steady traffic on the first certificate.
            await DataPathLab.Eventually(() => Served(oldHash, 30), "30 answers through nginx with the first certificate");

            // Renewal comes due (the rotation clock moves past half the lifetime) and the controller reconciles.
            lab.RotationClock.Shift(TimeSpan.FromHours(13));
            await lab.TouchAsync();
            string? newPem = null;
            await DataPathLab.Eventually(
                async () => (newPem = DataPathLab.SecretText(await lab.SecretAsync(TlsSecret), "tls.crt")) != oldPem,
                "the controller to write the renewed certificate into the Secret");
            var newSecret = await lab.SecretAsync(TlsSecret);
            Assert.Equal(oldSecret["metadata"]!["uid"]!.GetValue<string>(), newSecret["metadata"]!["uid"]!.GetValue<string>());
            newHash = await lab.OpensslHashAsync(newPem!);
            Assert.NotEqual(oldHash, newHash);
            await DataPathLab.Eventually(() => Served(newHash, 30), "30 answers through nginx with the renewed certificate");
        }
        finally
        {
            // Nothing may touch nginx or the lab once the test ends, however it ends.
            await stop.CancelAsync();
            await Task.WhenAll([.. clients, nic]).ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        var lasts = await Task.WhenAll(clients);
        await nic;

        var all = answers.ToList();
        Assert.True(all.All(a => a.Status == HttpStatusCode.OK), Failures(all, lab));
        Assert.All(lasts, last => Assert.Equal(newHash, last));
        Assert.Equal(newHash, Value(Assert.Single(ParseXfcc(DataPathLab.Xfcc((await lab.GetAsync(Path)).Body))), "Hash"));
        Assert.DoesNotContain(all, a => a.Hash != oldHash && a.Hash != newHash);
        Assert.Equal(2, lab.Ca.IssuedCount(DataPathLab.NicSpiffeId));
        Assert.True(lab.Nginx.Reloads >= 1, "nginx was never reloaded");
        Assert.Empty(lab.Backend.Refused);
    }

    private static string Failures(List<(long At, HttpStatusCode Status, string? Hash, string Detail)> all, DataPathLab lab)
    {
        var failed = all.Where(a => a.Status != HttpStatusCode.OK).ToList();
        return $"{failed.Count} of {all.Count} requests failed during the rotation: {string.Join("; ", failed.Take(5).Select(f => $"{(int)f.Status} at {f.At} ms: {f.Detail}"))}\n" +
            $"{lab.Nginx.ErrorLog()}\nrefused: {string.Join("; ", lab.Backend.Refused)}";
    }

    [Fact]
    public async Task A_client_certificate_from_another_root_is_refused_and_the_mesh_one_is_not()
    {
        await using var lab = await DataPathLab.StartAsync();
        using var otherRoot = TestRoots.Root(DataPathLab.TrustDomain);
        var (otherCrt, otherKey) = TestRoots.Leaf(otherRoot, DataPathLab.NicSpiffeId);

        // The same VirtualServer, Policy and CA Secret; only the TLS Secret's certificate comes from another root
        // (same identity, same root name, independently generated key).
        await lab.Nginx.ApplyAsync(await lab.RenderAsync(secret => secret["type"]!.GetValue<string>() != "kubernetes.io/tls" ? secret : WithData(secret, otherCrt, otherKey)));

        var (status, body) = await lab.GetAsync(Path);

        Assert.True(status == HttpStatusCode.BadGateway, $"expected 502 with another root's certificate, got {(int)status}: {body}");
        Assert.Equal(0, lab.Backend.Accepted);
        var refusal = Assert.Single(lab.Backend.Refused.Distinct());
        Assert.StartsWith("client certificate does not chain to the mesh root", refusal, StringComparison.Ordinal);

        // With TLS 1.3 the client certificate is judged after nginx's side of the handshake has finished, so nginx
        // sees the refusal as the sidecar closing the connection (TLS 1.2 would show SSL_do_handshake() failed).
        Assert.Contains(
            lab.Nginx.ErrorLog().Split('\n'),
            line => line.Contains("[error]", StringComparison.Ordinal) && line.Contains($"upstream: \"https://127.0.0.1:{lab.Backend.Port}/anything\"", StringComparison.Ordinal));

        // The same nginx with the certificate the controller wrote gets through.
        await lab.Nginx.ApplyAsync(await lab.RenderAsync());
        var hash = await lab.OpensslHashAsync(DataPathLab.SecretText(await lab.SecretAsync(TlsSecret), "tls.crt"));
        await DataPathLab.Eventually(async () => (await lab.GetAsync(Path)).Status == HttpStatusCode.OK, "a 200 through the reloaded nginx", TimeSpan.FromSeconds(20));
        (status, body) = await lab.GetAsync(Path);
        Assert.Equal(HttpStatusCode.OK, status);
        AssertOnlyNicsElement(DataPathLab.Xfcc(body), hash);
        Assert.True(lab.Backend.Accepted >= 1);
    }

    [Fact]
    public async Task A_mesh_certificate_outside_the_trust_domain_is_refused()
    {
        await using var lab = await DataPathLab.StartAsync();

        // Chained to the mesh root, but naming a workload of another trust domain.
        var (crt, key) = lab.IssueFromMeshRoot("spiffe://other.example/ns/nginx-ingress/sa/nginx-ingress");
        await lab.Nginx.ApplyAsync(await lab.RenderAsync(secret => secret["type"]!.GetValue<string>() != "kubernetes.io/tls" ? secret : WithData(secret, crt, key)));

        var (status, body) = await lab.GetAsync(Path);

        Assert.True(status == HttpStatusCode.BadGateway, $"expected 502 with a certificate outside the trust domain, got {(int)status}: {body}");
        Assert.Equal(0, lab.Backend.Accepted);
        Assert.Equal($"client certificate has no SPIFFE URI SAN in trust domain {DataPathLab.TrustDomain}", Assert.Single(lab.Backend.Refused.Distinct()));
    }

    private static JsonObject WithData(JsonObject secret, string crt, string key)
    {
        var copy = secret.DeepClone().AsObject();
        copy["data"] = new JsonObject
        {
            ["tls.crt"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(crt)),
            ["tls.key"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key)),
        };
        return copy;
    }
}
