using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Kubernetes.Client;

/// <summary>
/// A small Kubernetes REST client, named and shaped like kubernetes-client/csharp's <c>k8s.Kubernetes</c> so a later
/// swap is cheap. Every request passes a client-side QPS/burst limiter; 429 answers, and 5xx answers that carry
/// Retry-After, are retried for any verb (the server said the request was not processed); other 5xx answers and
/// connection failures are retried for reads only; waits honour Retry-After, else back off exponentially to a cap.
/// </summary>
public sealed partial class Kubernetes : IDisposable
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly HttpClient http;
    private readonly RateLimiter limiter;
    private readonly bool ownsLimiter;

    /// <summary>A client for a kubeconfig or in-cluster configuration (TLS, bearer token, exec plugin, token file).</summary>
    public Kubernetes(Configuration.KubernetesClientConfiguration configuration, KubernetesClientOptions? options = null)
        : this(configuration?.BaseUri ?? throw new ArgumentNullException(nameof(configuration)), configuration.CreateHttpMessageHandler(), options)
    {
    }

    public Kubernetes(Uri baseUri, HttpMessageHandler handler, KubernetesClientOptions? options = null, bool disposeHandler = true)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        Options = options ?? new KubernetesClientOptions();
        BaseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        http = new HttpClient(handler, disposeHandler) { BaseAddress = BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(Options.UserAgent);
        ownsLimiter = Options.RateLimiter is null;
        limiter = Options.RateLimiter ?? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, Options.Burst),
            TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(Options.Qps / 10)),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, (int)Math.Ceiling(Options.Qps / 10)) / Options.Qps),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public Uri BaseUri { get; }

    public KubernetesClientOptions Options { get; }

    public void Dispose()
    {
        http.Dispose();
        if (ownsLimiter)
        {
            limiter.Dispose();
        }
    }

    /// <summary>Sends a request built fresh for each attempt; returns a success response or throws <see cref="KubernetesException"/>.</summary>
    /// <remarks>HTTP/2 where the server offers it, as client-go does, so watches share one connection.</remarks>
    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, JsonNode? body, string contentType, bool stream, CancellationToken cancellationToken)
    {
        var payload = body is null ? null : Encoding.UTF8.GetBytes(body.ToJsonString(Compact));
        for (var attempt = 0; ; attempt++)
        {
            using var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            // HttpClient's default version applies only to its convenience methods, so each request carries it.
            using var request = new HttpRequestMessage(method, path) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (payload is not null)
            {
                request.Content = new ByteArrayContent(payload);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }

            HttpResponseMessage response;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (!stream)
            {
                timeout.CancelAfter(Options.RequestTimeout);
            }

            try
            {
                response = await http.SendAsync(request, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (method == HttpMethod.Get && attempt < Options.MaxRetries)
            {
                await Task.Delay(Backoff(attempt), Options.Time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            var retryAfter = RetryAfter(response);
            var code = (int)response.StatusCode;
            var retriable = code == 429 || (code >= 500 && (retryAfter is not null || method == HttpMethod.Get));
            if (retriable && attempt < Options.MaxRetries)
            {
                response.Dispose();
                await Task.Delay(Min(retryAfter ?? Backoff(attempt), Options.RetryMaxDelay), Options.Time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<JsonObject> SendForObjectAsync(
        HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, string contentType = "application/json")
    {
        using var response = await SendAsync(method, path, body, contentType, stream: false, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(text) as JsonObject ?? throw new KubernetesException($"the API server answered {path} with something other than a JSON object");
    }

    /// <summary>The server's Status when it sent one; otherwise a Status built from the code and the body's first line.</summary>
    private static async Task<KubernetesException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            V1Status? status = null;
            try
            {
                status = JsonSerializer.Deserialize(text, KubernetesJsonContext.Default.V1Status);
            }
            catch (JsonException)
            {
                // Not a Status body (a proxy's HTML page, APF's plain text): described below.
            }

            if (status is null || status.Kind != "Status")
            {
                var firstLine = text.Split('\n', 2)[0].Trim();
                status = new V1Status
                {
                    Status = "Failure",
                    Code = (int)response.StatusCode,
                    Reason = response.StatusCode.ToString(),
                    Message = firstLine.Length > 0 ? firstLine : $"the API server answered {(int)response.StatusCode} {response.ReasonPhrase}",
                };
            }

            return new KubernetesException(status, response.StatusCode);
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private TimeSpan Backoff(int attempt) =>
        Min(TimeSpan.FromTicks(Options.RetryBaseDelay.Ticks * (1L << Math.Min(attempt, 20))), Options.RetryMaxDelay);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string Query(string path, params (string Key, string? Value)[] parameters)
    {
        var present = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}").ToList();
        return present.Count == 0 ? path : $"{path}?{string.Join('&', present)}";
    }

    private static string? Flag(bool value) => value ? "true" : null;

    private static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static bool IsStatus(JsonObject obj) => obj["kind"]?.GetValue<string>() == "Status";
}
