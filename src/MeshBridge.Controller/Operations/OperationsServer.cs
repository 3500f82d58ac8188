using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshBridge.Controller.Operations;

/// <summary>
/// The controller's operations endpoints, as controller-runtime's manager serves them: <c>/metrics</c> on the metrics
/// address, <c>/healthz</c> and <c>/readyz</c> on the health-probe address. Each address gets its own Kestrel server
/// so either can be turned off alone and a busy scrape cannot starve the kubelet's probes.
/// </summary>
public sealed class OperationsServer : IAsyncDisposable
{
    private readonly WebApplication? _metrics;
    private readonly WebApplication? _probes;
    private readonly ILogger _logger;
    private int _stopped;

    private OperationsServer(WebApplication? metrics, WebApplication? probes, ILogger logger)
    {
        _metrics = metrics;
        _probes = probes;
        _logger = logger;
    }

    /// <summary>Where <c>/metrics</c> is served, with the port actually bound; null when turned off.</summary>
    public Uri? MetricsAddress { get; private set; }

    /// <summary>Where <c>/healthz</c> and <c>/readyz</c> are served, with the port actually bound; null when turned off.</summary>
    public Uri? HealthProbeAddress { get; private set; }

    /// <summary>
    /// Binds and starts serving. <paramref name="readiness"/> is asked on every <c>/readyz</c>; the controller passes
    /// "informer caches synced". Fails if an address cannot be bound, leaving nothing listening.
    /// </summary>
    public static async Task<OperationsServer> StartAsync(
        OperationsServerOptions options,
        MetricsRegistry registry,
        Func<ReadinessStatus> readiness,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(readiness);
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<OperationsServer>();
        var metricsAt = BindAddress.Parse(options.MetricsBindAddress);
        var probesAt = BindAddress.Parse(options.HealthProbeBindAddress);

        var metrics = metricsAt is null ? null : Build(metricsAt, options, loggerFactory, context => ServeMetricsAsync(context, registry));
        var probes = probesAt is null ? null : Build(probesAt, options, loggerFactory, context => ServeProbesAsync(context, readiness, logger));
        var server = new OperationsServer(metrics, probes, logger);
        try
        {
            server.MetricsAddress = await StartOneAsync(metrics, "/metrics", logger, cancellationToken).ConfigureAwait(false);
            server.HealthProbeAddress = await StartOneAsync(probes, "/healthz and /readyz", logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    /// <summary>
    /// Stops accepting connections and waits for requests in flight, until <see cref="OperationsServerOptions.ShutdownTimeout"/>
    /// or <paramref name="cancellationToken"/>, whichever comes first.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await Task.WhenAll(StopOneAsync(_metrics, cancellationToken), StopOneAsync(_probes, cancellationToken)).ConfigureAwait(false);
        OperationsLog.Stopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_metrics is not null)
        {
            await _metrics.DisposeAsync().ConfigureAwait(false);
        }

        if (_probes is not null)
        {
            await _probes.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static WebApplication Build(BindAddress address, OperationsServerOptions options, ILoggerFactory loggerFactory, RequestDelegate handler)
    {
        // The empty builder reads no appsettings.json, environment or ASPNETCORE_URLS: the flags alone decide.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (address.Host is null)
            {
                kestrel.ListenAnyIP(address.Port);
            }
            else
            {
                kestrel.Listen(address.Host, address.Port);
            }
        });
        var app = builder.Build();
        app.Run(handler);
        return app;
    }

    private static async Task<Uri?> StartOneAsync(WebApplication? app, string endpoints, ILogger logger, CancellationToken cancellationToken)
    {
        if (app is null)
        {
            OperationsLog.Disabled(logger, endpoints);
            return null;
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var address = new Uri(bound);
        OperationsLog.Serving(logger, endpoints, address);
        return address;
    }

    private static async Task StopOneAsync(WebApplication? app, CancellationToken cancellationToken)
    {
        if (app is not null)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ServeMetricsAsync(HttpContext context, MetricsRegistry registry)
    {
        if (context.Request.Path != "/metrics")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = MetricsRegistry.ContentType;
        await context.Response.WriteAsync(registry.Export(), context.RequestAborted).ConfigureAwait(false);
    }

    private static Task ServeProbesAsync(HttpContext context, Func<ReadinessStatus> readiness, ILogger logger)
    {
        if (context.Request.Path == "/healthz")
        {
            // Alive while the process answers: the kubelet restarts a controller only when it is wedged, not when it waits for caches.
            return WriteTextAsync(context, StatusCodes.Status200OK, "ok");
        }

        if (context.Request.Path == "/readyz")
        {
            var status = Check(readiness, logger);
            return status.IsReady
                ? WriteTextAsync(context, StatusCodes.Status200OK, "ok")
                : WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, status.Reason);
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private static ReadinessStatus Check(Func<ReadinessStatus> readiness, ILogger logger)
    {
        try
        {
            return readiness();
        }
        catch (Exception error)
        {
            OperationsLog.ReadinessCheckThrew(logger, error.GetType().Name);
            return ReadinessStatus.NotReady("readiness check failed");
        }
    }

    private static Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }
}
