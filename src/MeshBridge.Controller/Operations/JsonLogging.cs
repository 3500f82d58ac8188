using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace MeshBridge.Controller.Operations;

/// <summary>
/// The controller's logs: one JSON object a line on standard error with a UTC timestamp, the shape log pipelines
/// (Fluent Bit, Vector, Loki) ingest without a parser, filtered at a <c>--log-level</c> style minimum.
/// </summary>
public static class JsonLogging
{
    /// <summary>ISO 8601 in UTC with milliseconds; the formatter takes the time as UTC already (UseUtcTimestamp).</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The words <see cref="TryParseLevel"/> accepts, for a flag's help text.</summary>
    public static IReadOnlyList<string> LevelNames { get; } = ["trace", "debug", "info", "warn", "error", "critical", "none"];

    /// <summary>Replaces every other provider with the JSON console formatter at <paramref name="minimumLevel"/>.</summary>
    public static ILoggingBuilder AddControllerJsonLogs(this ILoggingBuilder builder, LogLevel minimumLevel)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ClearProviders();
        builder.SetMinimumLevel(minimumLevel);

        // Kestrel logs every request at Information; the kubelet probes every few seconds.
        builder.AddFilter("Microsoft.AspNetCore", minimumLevel > LogLevel.Warning ? minimumLevel : LogLevel.Warning);
        builder.AddJsonConsole(json =>
        {
            json.UseUtcTimestamp = true;
            json.TimestampFormat = TimestampFormat;
            json.IncludeScopes = true;
            json.JsonWriterOptions = new JsonWriterOptions { Indented = false };
        });

        // Standard error for every level, as controller-runtime's zap logger writes, so stdout stays free for output.
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        return builder;
    }

    /// <summary>
    /// Reads a <c>--log-level</c> value: a <see cref="LevelNames"/> word, <c>warning</c>/<c>information</c>, or a
    /// <see cref="LogLevel"/> name, in any case.
    /// </summary>
    public static bool TryParseLevel(string? text, out LogLevel level)
    {
        level = text?.Trim().ToUpperInvariant() switch
        {
            "TRACE" => LogLevel.Trace,
            "DEBUG" => LogLevel.Debug,
            "INFO" or "INFORMATION" => LogLevel.Information,
            "WARN" or "WARNING" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            "CRITICAL" or "FATAL" => LogLevel.Critical,
            "NONE" or "OFF" => LogLevel.None,
            _ => (LogLevel)(-1),
        };
        return level >= LogLevel.Trace;
    }

    public static LogLevel ParseLevel(string text) =>
        TryParseLevel(text, out var level)
            ? level
            : throw new FormatException($"'{text}' is not a log level; use one of {string.Join(", ", LevelNames)}");
}
