using MeshBridge.Controller.Operations;

namespace MeshBridge.Controller.Tests.Operations;

public sealed class MetricsRegistryTests
{
    [Fact]
    public void A_small_registry_is_written_exactly_as_the_text_format_specifies()
    {
        var registry = new MetricsRegistry();
        var requests = registry.CreateCounter("http_requests_total", "Requests served.", "method", "code");
        var temperature = registry.CreateGauge("room_temperature_celsius", "Temperature now.");
        var latency = registry.CreateHistogram("request_seconds", "Request latency.", [0.1, 1], "route");
        requests.WithLabels("post", "500").Inc();
        requests.WithLabels("get", "200").Inc(2);
        temperature.Set(-3.5);
        latency.WithLabels("/a").Observe(0.05);
        latency.WithLabels("/a").Observe(0.5);
        latency.WithLabels("/a").Observe(7);

        Assert.Equal(
            """
            # HELP http_requests_total Requests served.
            # TYPE http_requests_total counter
            http_requests_total{method="get",code="200"} 2
            http_requests_total{method="post",code="500"} 1
            # HELP request_seconds Request latency.
            # TYPE request_seconds histogram
            request_seconds_bucket{route="/a",le="0.1"} 1
            request_seconds_bucket{route="/a",le="1"} 2
            request_seconds_bucket{route="/a",le="+Inf"} 3
            request_seconds_sum{route="/a"} 7.55
            request_seconds_count{route="/a"} 3
            # HELP room_temperature_celsius Temperature now.
            # TYPE room_temperature_celsius gauge
            room_temperature_celsius -3.5

            """.ReplaceLineEndings("\n"),
            registry.Export());
    }

    [Fact]
    public void Label_values_escape_backslash_quote_and_newline_and_nothing_else()
    {
        var registry = new MetricsRegistry();
        registry.CreateCounter("c_total", "h", "v").WithLabels("a\\b\"c\nd\té").Inc();

        Assert.Contains("c_total{v=\"a\\\\b\\\"c\\nd\té\"} 1\n", registry.Export(), StringComparison.Ordinal);
    }

    [Fact]
    public void Help_text_escapes_backslash_and_newline_but_keeps_quotes()
    {
        var registry = new MetricsRegistry();
        registry.CreateGauge("g", "a \"quoted\" C:\\path\nsecond line").Set(1);

        Assert.StartsWith("# HELP g a \"quoted\" C:\\\\path\\nsecond line\n", registry.Export(), StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_bounds_are_inclusive_and_inf_equals_the_count()
    {
        var histogram = new MetricsRegistry().CreateHistogram("h", "h", [1, 2, 3]);
        foreach (var value in new[] { 0.5, 1, 1.5, 2, 2, 3.5, double.NaN })
        {
            histogram.Observe(value);
        }

        var snapshot = histogram.WithLabels().Snapshot();

        // le=1 holds 0.5 and 1; le=2 adds 1.5, 2, 2; le=3 adds none; +Inf adds 3.5 and NaN, as client_golang counts NaN.
        Assert.Equal([2L, 5, 5, 7], snapshot.CumulativeCounts);
        Assert.Equal(7, snapshot.Count);
    }

    [Theory]
    [InlineData(1e-8, "1e-08")]
    [InlineData(9.999999999999999e-06, "9.999999999999999e-06")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.005, "0.005")]
    [InlineData(1, "1")]
    [InlineData(100000, "100000")]
    [InlineData(1e6, "1e+06")]
    [InlineData(1234567, "1.234567e+06")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Numbers_are_written_as_Go_client_golang_writes_them(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.FormatValue(value));

    [Theory]
    [InlineData("")]
    [InlineData("1st")]
    [InlineData("has-dash")]
    [InlineData("has space")]
    [InlineData("ünicode")]
    public void Invalid_metric_names_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateCounter(name, "h"));

    [Fact]
    public void Metric_names_may_contain_colons_and_start_with_underscore() =>
        Assert.Equal("_ns:sub_x", new MetricsRegistry().CreateGauge("_ns:sub_x", "h").Name);

    [Theory]
    [InlineData("a:b")]
    [InlineData("9x")]
    [InlineData("__reserved")]
    [InlineData("dash-ed")]
    public void Invalid_or_reserved_label_names_are_refused(string label) =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateCounter("c_total", "h", label));

    [Fact]
    public void A_histogram_may_not_use_le_as_its_own_label() =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateHistogram("h", "h", [1], "le"));

    [Fact]
    public void Histogram_bounds_out_of_order_are_refused() =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateHistogram("h", "h", [1, 1]));

    [Fact]
    public void A_second_metric_of_the_same_name_is_refused()
    {
        var registry = new MetricsRegistry();
        registry.CreateCounter("x_total", "h");

        Assert.Throws<InvalidOperationException>(() => registry.CreateGauge("x_total", "h"));
    }

    [Fact]
    public void The_wrong_number_of_label_values_is_refused() =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateCounter("c_total", "h", "a", "b").WithLabels("only-one"));

    [Fact]
    public void A_counter_refuses_to_go_down() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetricsRegistry().CreateCounter("c_total", "h").Inc(-1));

    [Fact]
    public void A_labelled_family_without_series_writes_nothing_and_one_without_labels_shows_zero()
    {
        var registry = new MetricsRegistry();
        registry.CreateCounter("labelled_total", "h", "x");
        registry.CreateCounter("plain_total", "h");

        Assert.Equal("# HELP plain_total h\n# TYPE plain_total counter\nplain_total 0\n", registry.Export());
    }

    [Fact]
    public async Task Concurrent_increments_and_observations_are_never_lost()
    {
        var registry = new MetricsRegistry();
        var counter = registry.CreateCounter("c_total", "h", "worker");
        var histogram = registry.CreateHistogram("h", "h", [0.5]);
        const int PerTask = 10_000;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() =>
        {
            for (var n = 0; n < PerTask; n++)
            {
                counter.WithLabels("shared").Inc();
                histogram.Observe(n % 2);
            }
        })));

        Assert.Equal(4 * PerTask, counter.WithLabels("shared").Value);
        Assert.Equal(4 * PerTask, histogram.WithLabels().Snapshot().Count);
        Assert.Equal(2 * PerTask, histogram.WithLabels().Snapshot().CumulativeCounts[0]);
    }
}
