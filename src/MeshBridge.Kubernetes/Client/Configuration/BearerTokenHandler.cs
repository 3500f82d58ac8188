using System.Net;
using System.Net.Http.Headers;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// Puts <c>Authorization: Bearer</c> from an <see cref="ITokenProvider"/> on every request, like client-go's bearer and
/// exec round trippers: a request that already carries an Authorization header is left alone, and a 401 tells the
/// provider so it can rotate. Unlike client-go, which only rotates for the next request, the request is then sent
/// once more when the provider has different credentials, so a caller does not see a 401 caused by a token that
/// expired early or was revoked.
/// </summary>
public sealed class BearerTokenHandler : DelegatingHandler
{
    private readonly ITokenProvider tokens;

    public BearerTokenHandler(ITokenProvider tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        this.tokens = tokens;
    }

    public BearerTokenHandler(ITokenProvider tokens, HttpMessageHandler innerHandler)
        : base(innerHandler)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        this.tokens = tokens;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.Authorization is not null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        Authorize(request, token);
        if (request.Content is not null)
        {
            // Buffered content can be sent a second time; API request bodies are small objects.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !await RefreshAsync(response, token, cancellationToken).ConfigureAwait(false))
        {
            return response;
        }

        response.Dispose();
        Authorize(request, await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false));
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Refused rather than passed through: the synchronous path cannot run an exec plugin without blocking on it, and
    /// a request must never leave without the credentials it was configured with.
    /// </summary>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Kubernetes API requests are asynchronous only; use SendAsync.");

    /// <summary>
    /// Asks the provider for new credentials after a 401. If that fails (the plugin itself fails), the caller gets the
    /// provider's error, which says why, instead of the bare 401; client-go only logs it.
    /// </summary>
    private async Task<bool> RefreshAsync(HttpResponseMessage unauthorized, string? token, CancellationToken cancellationToken)
    {
        try
        {
            return await tokens.RefreshAfterUnauthorizedAsync(token, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            unauthorized.Dispose();
            throw;
        }
    }

    private static void Authorize(HttpRequestMessage request, string? token) =>
        request.Headers.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
}
