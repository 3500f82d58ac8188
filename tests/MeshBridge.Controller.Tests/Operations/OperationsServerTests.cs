using System.Net;
using MeshBridge.Controller.Operations;

namespace MeshBridge.Controller.Tests.Operations;

public sealed class OperationsServerTests : IAsyncLifetime
{
    private static readonly OperationsServerOptions Loopback = new() { MetricsBindAddress = "127.0.0.1:0", HealthProbeBindAddress = "127.0.0.1:0" };
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly MetricsRegistry _registry = new();
    private volatile bool _synced;
    private OperationsServer? _server;

    private OperationsServer Server => _server!;

    public async Task InitializeAsync() =>
        _server = await OperationsServer.StartAsync(
            Loopback,
            _registry,
            () => _synced ? ReadinessStatus.Ready : ReadinessStatus.NotReady("informer caches not synced"));

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Healthz_answers_ok_while_the_process_runs_even_before_caches_sync()
    {
        using var response = await _http.GetAsync(new Uri(Server.HealthProbeAddress!, "/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_answers_503_with_the_reason_until_the_check_says_ready_then_200()
    {
        using var before = await _http.GetAsync(new Uri(Server.HealthProbeAddress!, "/readyz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Equal("informer caches not synced", await before.Content.ReadAsStringAsync());

        _synced = true;
        using var after = await _http.GetAsync(new Uri(Server.HealthProbeAddress!, "/readyz"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);

        _synced = false;
        using var again = await _http.GetAsync(new Uri(Server.HealthProbeAddress!, "/readyz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
    }

    [Fact]
    public async Task Metrics_serves_the_registry_as_text_format_0_0_4()
    {
        _registry.CreateCounter("served_total", "h").Inc(4);

        using var response = await _http.GetAsync(new Uri(Server.MetricsAddress!, "/metrics"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("# HELP served_total h\n# TYPE served_total counter\nserved_total 4\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_and_probes_are_on_their_own_ports_and_each_serves_only_its_paths()
    {
        Assert.NotEqual(Server.MetricsAddress!.Port, Server.HealthProbeAddress!.Port);
        Assert.NotEqual(0, Server.MetricsAddress.Port);

        using var metricsOnProbePort = await _http.GetAsync(new Uri(Server.HealthProbeAddress, "/metrics"));
        using var healthOnMetricsPort = await _http.GetAsync(new Uri(Server.MetricsAddress, "/healthz"));

        Assert.Equal(HttpStatusCode.NotFound, metricsOnProbePort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, healthOnMetricsPort.StatusCode);
    }

    [Fact]
    public async Task A_readiness_check_that_throws_reads_as_not_ready()
    {
        await using var server = await OperationsServer.StartAsync(Loopback, _registry, () => throw new InvalidOperationException("boom"));

        using var response = await _http.GetAsync(new Uri(server.HealthProbeAddress!, "/readyz"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_bind_address_0_serves_no_metrics_but_still_serves_probes()
    {
        await using var server = await OperationsServer.StartAsync(Loopback with { MetricsBindAddress = "0" }, _registry, () => ReadinessStatus.Ready);

        Assert.Null(server.MetricsAddress);
        using var response = await _http.GetAsync(new Uri(server.HealthProbeAddress!, "/readyz"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task After_stop_the_port_refuses_connections()
    {
        var address = new Uri(Server.HealthProbeAddress!, "/healthz");
        await Server.StopAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => _http.GetAsync(address));
    }

    [Fact]
    public async Task A_port_already_in_use_fails_the_start()
    {
        var taken = Server.HealthProbeAddress!.Port;

        await Assert.ThrowsAnyAsync<IOException>(() =>
            OperationsServer.StartAsync(Loopback with { HealthProbeBindAddress = $"127.0.0.1:{taken}" }, _registry, () => ReadinessStatus.Ready));
    }

    [Theory]
    [InlineData(":8080", null, 8080)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("[::1]:9443", "::1", 9443)]
    [InlineData("localhost:8081", "127.0.0.1", 8081)]
    public void Bind_addresses_are_read_as_controller_runtime_flags(string text, string? host, int port)
    {
        var parsed = BindAddress.Parse(text)!;

        Assert.Equal(host, parsed.Host?.ToString());
        Assert.Equal(port, parsed.Port);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("")]
    public void Bind_address_0_or_empty_means_serve_nothing(string text) => Assert.Null(BindAddress.Parse(text));

    [Theory]
    [InlineData("8080")]
    [InlineData(":http")]
    [InlineData(":70000")]
    [InlineData("example.com:80")]
    public void Malformed_bind_addresses_are_refused(string text) => Assert.Throws<FormatException>(() => BindAddress.Parse(text));
}
