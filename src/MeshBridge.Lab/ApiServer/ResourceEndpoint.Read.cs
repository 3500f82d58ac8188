using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MeshBridge.Lab.ApiServer;

public sealed partial class ResourceEndpoint
{
    private async Task GetAsync(ApiRequest request)
    {
        if (request.Subresource is not (null or "status"))
        {
            throw ApiError.NoSuchPath();
        }

        var found = store.Get(KeyOf(request)) ?? throw ApiError.NotFound(request.Resource, request.Name!);
        await WriteJsonAsync(request.Context, 200, ToClientForm(request, found)).ConfigureAwait(false);
    }

    /// <summary>Lists with selectors and limit/continue paging; the continue token pins the list's revision.</summary>
    private async Task ListAsync(ApiRequest request)
    {
        var labels = LabelSelector.Parse(request.Query("labelSelector"));
        var fields = FieldSelector.Parse(request.Query("fieldSelector"), IsCoreEvents(request.Resource));
        var offset = 0;
        long? pinned = null;
        if (request.Query("continue") is { Length: > 0 } token)
        {
            (var tokenRevision, offset) = DecodeContinue(token);
            if (tokenRevision < store.Revision - options.HistoryLimit)
            {
                throw ApiError.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
            }

            pinned = tokenRevision;
        }

        var limit = int.TryParse(request.Query("limit"), CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
        var (items, remaining, current) = store.ListPage(KeyOf(request).Resource, request.Resource.Namespaced ? request.Namespace : null,
            stored => ToClientForm(request, stored) is var shown && labels.Matches(shown) && fields.Matches(shown), offset, limit);
        var revision = pinned ?? current;
        var page = items.Select(i => ToClientForm(request, i)).ToList();
        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (remaining > 0)
        {
            metadata["continue"] = EncodeContinue(revision, offset + page.Count);
            metadata["remainingItemCount"] = remaining;
        }

        var list = new JsonObject
        {
            ["kind"] = $"{request.Resource.Kind}List",
            ["apiVersion"] = request.Resource.GroupVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. page]),
        };
        await WriteJsonAsync(request.Context, 200, list).ConfigureAwait(false);
    }

    /// <summary>
    /// A chunked stream of newline-terminated events (reference/kube-api.md §6). A compacted resourceVersion answers
    /// 200 with one ERROR event (410 Expired) and closes, as the API server does; bookmarks only when asked for.
    /// </summary>
    private async Task WatchAsync(ApiRequest request)
    {
        var context = request.Context;
        var labels = LabelSelector.Parse(request.Query("labelSelector"));
        var fields = FieldSelector.Parse(request.Query("fieldSelector"), IsCoreEvents(request.Resource));
        var from = ParseRevision(request.Query("resourceVersion"), "resourceVersion");
        var bookmarks = request.Flag("allowWatchBookmarks");
        var timeout = int.TryParse(request.Query("timeoutSeconds"), CultureInfo.InvariantCulture, out var t) && t > 0
            ? TimeSpan.FromSeconds(t)
            : options.DefaultWatchTimeout;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        WatchSubscription subscription;
        try
        {
            subscription = store.Watch(KeyOf(request).Resource, request.Resource.Namespaced ? request.Namespace : null, from,
                e => labels.Matches(ToClientForm(request, e.Object)) && fields.Matches(ToClientForm(request, e.Object)));
        }
        catch (StoreException e) when (e.Reason == "Expired")
        {
            await WriteLineAsync(context, new JsonObject { ["type"] = "ERROR", ["object"] = ApiError.Expired(e.Message).ToStatus() }).ConfigureAwait(false);
            return;
        }

        using (subscription)
        {
            await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            await StreamAsync(request, subscription, bookmarks, timeout).ConfigureAwait(false);
        }
    }

    private async Task StreamAsync(ApiRequest request, WatchSubscription subscription, bool bookmarks, TimeSpan timeout)
    {
        var context = request.Context;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeout);
        var sent = 0;
        try
        {
            while (!deadline.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                tick.CancelAfter(options.BookmarkInterval);
                bool ready;
                try
                {
                    ready = await subscription.Events.WaitToReadAsync(tick.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
                {
                    if (bookmarks)
                    {
                        await WriteLineAsync(context, Bookmark(request.Resource)).ConfigureAwait(false);
                    }

                    continue;
                }

                if (!ready)
                {
                    return;
                }

                while (subscription.Events.TryRead(out var e))
                {
                    await WriteLineAsync(context, new JsonObject { ["type"] = e.TypeName, ["object"] = ToClientForm(request, (JsonObject)e.Object.DeepClone()) }).ConfigureAwait(false);
                    if (options.Faults.DropWatchAfter(request, ++sent))
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or the watch reached timeoutSeconds: the stream simply ends.
        }
    }

    private JsonObject Bookmark(ApiResource resource) => new()
    {
        ["type"] = "BOOKMARK",
        ["object"] = new JsonObject
        {
            ["kind"] = resource.Kind,
            ["apiVersion"] = resource.GroupVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = store.Revision.ToString(CultureInfo.InvariantCulture) },
        },
    };

    private static async Task WriteLineAsync(HttpContext context, JsonObject line)
    {
        await context.Response.WriteAsync(line.ToJsonString(Compact) + "\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static string EncodeContinue(long revision, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"v\":\"meta.k8s.io/v1\",\"rv\":{revision},\"start\":{offset}}}"));

    private static (long Revision, int Offset) DecodeContinue(string token)
    {
        try
        {
            var node = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)))!;
            return (node["rv"]!.GetValue<long>(), node["start"]!.GetValue<int>());
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiError.BadRequest($"continue key is not valid: {e.Message}");
        }
    }
}
