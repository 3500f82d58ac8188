using System.Text.Json;
using MeshBridge.Controller.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace MeshBridge.Controller.Tests.Operations;

public sealed class JsonLoggingTests
{
    [Fact]
    public void The_configured_formatter_writes_one_line_of_JSON_with_a_UTC_timestamp()
    {
        using var services = Services(LogLevel.Information);
        var formatter = services.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json);
        using var output = new StringWriter();
        var entry = new LogEntry<string>(LogLevel.Warning, "MeshBridge.Controller", new EventId(7), "caches \"slow\"\nstill waiting", null, (s, _) => s);

        formatter.Write(entry, null, output);

        var line = output.ToString().TrimEnd('\n', '\r');
        Assert.DoesNotContain('\n', line);
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("Warning", root.GetProperty("LogLevel").GetString());
        Assert.Equal("MeshBridge.Controller", root.GetProperty("Category").GetString());
        Assert.Equal("caches \"slow\"\nstill waiting", root.GetProperty("Message").GetString());
        var timestamp = root.GetProperty("Timestamp").GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", timestamp);
        Assert.InRange(DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public void The_console_logger_uses_the_json_formatter_and_writes_to_standard_error()
    {
        using var services = Services(LogLevel.Information);
        var options = services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;

        Assert.Equal(ConsoleFormatterNames.Json, options.FormatterName);
        Assert.Equal(LogLevel.Trace, options.LogToStandardErrorThreshold);
    }

    [Fact]
    public void The_minimum_level_filters_and_Kestrel_request_logs_stay_quiet()
    {
        using var services = Services(LogLevel.Information);
        var factory = services.GetRequiredService<ILoggerFactory>();

        Assert.False(factory.CreateLogger("MeshBridge").IsEnabled(LogLevel.Debug));
        Assert.True(factory.CreateLogger("MeshBridge").IsEnabled(LogLevel.Information));
        Assert.False(factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
    }

    [Theory]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("INFO", LogLevel.Information)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("Warning", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("none", LogLevel.None)]
    public void Log_level_words_are_read_in_any_case(string text, LogLevel expected) =>
        Assert.Equal(expected, JsonLogging.ParseLevel(text));

    [Theory]
    [InlineData("verbose")]
    [InlineData("")]
    [InlineData("3")]
    public void Unknown_log_levels_are_refused(string text) => Assert.Throws<FormatException>(() => JsonLogging.ParseLevel(text));

    private static ServiceProvider Services(LogLevel level) =>
        new ServiceCollection().AddLogging(logging => logging.AddControllerJsonLogs(level)).BuildServiceProvider();
}
