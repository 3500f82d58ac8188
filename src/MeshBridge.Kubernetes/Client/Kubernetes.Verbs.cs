using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Kubernetes.Client;

public sealed partial class Kubernetes
{
    public Task<JsonObject> GetAsync(ResourceType type, string? ns, string name, string? subresource = null, CancellationToken cancellationToken = default) =>
        SendForObjectAsync(HttpMethod.Get, type.ItemPath(ns, name, subresource), null, cancellationToken);

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<JsonObject?> TryGetAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync(type, ns, name, null, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>One page; follow <see cref="ObjectList.Continue"/> for the next, or use <see cref="ListAllAsync"/>.</summary>
    public async Task<ObjectList> ListAsync(ResourceType type, string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var path = Query(type.CollectionPath(ns),
            ("labelSelector", options.LabelSelector), ("fieldSelector", options.FieldSelector), ("limit", Number(options.Limit)),
            ("continue", options.Continue), ("resourceVersion", options.ResourceVersion));
        var list = await SendForObjectAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        // Detach the items from the parsed list rather than copying them: a page of large objects is copied no more.
        var array = list["items"] as JsonArray;
        var items = array?.OfType<JsonObject>().ToList() ?? [];
        array?.Clear();
        foreach (var item in items)
        {
            // Built-in lists omit each item's apiVersion/kind; callers decode items on their own.
            item["apiVersion"] ??= type.ApiVersion;
            item["kind"] ??= type.Kind;
        }

        var continueToken = list["metadata"]?["continue"]?.GetValue<string>();
        return new ObjectList(items, list["metadata"]?["resourceVersion"]?.GetValue<string>() ?? string.Empty, string.IsNullOrEmpty(continueToken) ? null : continueToken);
    }

    /// <summary>Every page of a list, in pages of <paramref name="pageSize"/>, and the resourceVersion of the first page.</summary>
    public async Task<ObjectList> ListAllAsync(ResourceType type, string? ns, ListOptions? options = null, int pageSize = 500, CancellationToken cancellationToken = default)
    {
        var items = new List<JsonObject>();
        var page = await ListAsync(type, ns, (options ?? new ListOptions()) with { Limit = pageSize }, cancellationToken).ConfigureAwait(false);
        var version = page.ResourceVersion;
        items.AddRange(page.Items);
        while (page.Continue is { } next)
        {
            page = await ListAsync(type, ns, (options ?? new ListOptions()) with { Limit = pageSize, Continue = next, ResourceVersion = null }, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
        }

        return new ObjectList(items, version, null);
    }

    /// <summary>
    /// Streams watch events until the server ends the stream or the token is cancelled. An ERROR event (such as 410
    /// Expired) is yielded, not thrown, so an informer can relist; a watch refused outright throws.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        ResourceType type, string? ns, WatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = Query(type.CollectionPath(ns), ("watch", "true"), ("allowWatchBookmarks", Flag(options.AllowWatchBookmarks)),
            ("labelSelector", options.LabelSelector), ("fieldSelector", options.FieldSelector),
            ("resourceVersion", options.ResourceVersion), ("timeoutSeconds", Number(options.TimeoutSeconds)));
        using var response = await SendAsync(HttpMethod.Get, path, null, "application/json", stream: true, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            if (line is null)
            {
                yield break;
            }

            if (line.Length == 0)
            {
                continue;
            }

            var node = JsonNode.Parse(line)!;
            var eventType = node["type"]!.GetValue<string>() switch
            {
                "ADDED" => WatchEventType.Added,
                "MODIFIED" => WatchEventType.Modified,
                "DELETED" => WatchEventType.Deleted,
                "BOOKMARK" => WatchEventType.Bookmark,
                _ => WatchEventType.Error,
            };
            // Detach the object from the parsed line rather than copying it.
            var obj = (JsonObject)node["object"]!;
            node.AsObject().Remove("object");
            yield return new WatchEvent(eventType, obj);
        }
    }

    public Task<JsonObject> CreateAsync(ResourceType type, string? ns, JsonObject body, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        SendForObjectAsync(HttpMethod.Post, WithWriteOptions(type.CollectionPath(ns), options), body, cancellationToken);

    /// <summary>PUT with the body's resourceVersion: a stale one is a 409 <see cref="KubernetesException"/>.</summary>
    public Task<JsonObject> ReplaceAsync(ResourceType type, string? ns, string name, JsonObject body, WriteOptions? options = null, string? subresource = null, CancellationToken cancellationToken = default) =>
        SendForObjectAsync(HttpMethod.Put, WithWriteOptions(type.ItemPath(ns, name, subresource), options), body, cancellationToken);

    public Task<JsonObject> PatchAsync(ResourceType type, string? ns, string name, V1Patch patch, WriteOptions? options = null, string? subresource = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var path = WithWriteOptions(type.ItemPath(ns, name, subresource), options);
        if (patch.Type == PatchType.ApplyPatch && options?.Force == true)
        {
            path += "&force=true";
        }

        return SendForObjectAsync(HttpMethod.Patch, path, patch.Content, cancellationToken, patch.ContentType);
    }

    /// <summary>Deletes; returns the object while finalizers hold it, or null once it is gone.</summary>
    public async Task<JsonObject?> DeleteAsync(ResourceType type, string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DeleteOptions();
        var body = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1" };
        if (options.PropagationPolicy is not null)
        {
            body["propagationPolicy"] = options.PropagationPolicy;
        }

        if (options.GracePeriodSeconds is { } grace)
        {
            body["gracePeriodSeconds"] = grace;
        }

        if (options.PreconditionUid is not null || options.PreconditionResourceVersion is not null)
        {
            var preconditions = new JsonObject();
            if (options.PreconditionUid is not null)
            {
                preconditions["uid"] = options.PreconditionUid;
            }

            if (options.PreconditionResourceVersion is not null)
            {
                preconditions["resourceVersion"] = options.PreconditionResourceVersion;
            }

            body["preconditions"] = preconditions;
        }

        var result = await SendForObjectAsync(HttpMethod.Delete, type.ItemPath(ns, name), body, cancellationToken).ConfigureAwait(false);
        return IsStatus(result) || result["metadata"]?["deletionTimestamp"] is null ? null : result;
    }

    /// <summary>TokenRequest for a service account (<c>serviceaccounts/&lt;name&gt;/token</c>). The token is never logged.</summary>
    public async Task<TokenRequestResult> CreateTokenAsync(
        string ns, string serviceAccount, IReadOnlyList<string> audiences, long expirationSeconds, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenRequest",
            ["spec"] = new JsonObject
            {
                ["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode)a)]),
                ["expirationSeconds"] = expirationSeconds,
            },
        };
        var reply = await SendForObjectAsync(HttpMethod.Post, ResourceTypes.ServiceAccounts.ItemPath(ns, serviceAccount, "token"), body, cancellationToken).ConfigureAwait(false);
        var token = reply["status"]?["token"]?.GetValue<string>() ?? throw new KubernetesException("the TokenRequest reply carries no status.token");
        var expiry = DateTimeOffset.Parse(reply["status"]!["expirationTimestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        return new TokenRequestResult(token, expiry);
    }

    private static string WithWriteOptions(string path, WriteOptions? options) => Query(path,
        ("fieldManager", options?.FieldManager), ("fieldValidation", options?.FieldValidation), ("dryRun", options?.DryRun == true ? "All" : null));
}
