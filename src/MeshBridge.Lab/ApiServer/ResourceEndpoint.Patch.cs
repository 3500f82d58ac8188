using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer.Patching;
using MeshBridge.Manifests;

namespace MeshBridge.Lab.ApiServer;

public sealed partial class ResourceEndpoint
{
    private const string ApplyPatch = "application/apply-patch+yaml";
    private const string JsonPatchType = "application/json-patch+json";
    private const string MergePatchType = "application/merge-patch+json";
    private const string StrategicPatchType = "application/strategic-merge-patch+json";

    /// <summary>
    /// PATCH by JSON Patch, merge patch or server-side apply (reference/kube-api.md §7). Strategic merge patch is
    /// refused on custom resources (415) as the API server does; on built-in kinds the lab applies it as a merge
    /// patch (the same result except for lists of objects with merge keys).
    /// </summary>
    private async Task PatchAsync(ApiRequest request)
    {
        if (request.Subresource is not (null or "status"))
        {
            throw ApiError.NoSuchPath();
        }

        var contentType = (request.Context.Request.ContentType ?? string.Empty).Split(';')[0].Trim();
        using var reader = new StreamReader(request.Context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(request.Context.RequestAborted).ConfigureAwait(false);
        if (contentType == ApplyPatch)
        {
            var (result, created) = Apply(request, ParseApplyBody(text));
            await WriteJsonAsync(request.Context, created ? 201 : 200, ToClientForm(request, result)).ConfigureAwait(false);
            return;
        }

        if (contentType is not (JsonPatchType or MergePatchType or StrategicPatchType) || (contentType == StrategicPatchType && request.Resource.IsCustom))
        {
            throw new ApiError(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }

        JsonNode patch;
        try
        {
            patch = JsonNode.Parse(text) ?? throw ApiError.BadRequest("the patch is empty");
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest($"error decoding patch: {e.Message}");
        }

        var patched = store.Atomically(() =>
        {
            var current = ToClientForm(request, store.Get(KeyOf(request)) ?? throw ApiError.NotFound(request.Resource, request.Name!));
            JsonObject next;
            try
            {
                next = (contentType == JsonPatchType ? JsonPatch.Apply(current, patch) : JsonMergePatch.Apply(current, patch)) as JsonObject
                    ?? throw ApiError.BadRequest("the patched object is not a JSON object");
            }
            catch (PatchException e)
            {
                throw ApiError.FromStatus(e.ToStatus());
            }

            // A resourceVersion in a patch is a precondition (merge patch); JSON Patch guards with a 'test' op instead.
            if (Text(next["metadata"]?["resourceVersion"]) is { } version && version != Text(current["metadata"]?["resourceVersion"]))
            {
                throw ApiError.Conflict(request.Resource, request.Name!);
            }

            var fieldValidation = request.Query("fieldValidation");
            if (fieldValidation == "Strict" && request.Resource.Schema is { } schema)
            {
                var unknown = new List<string>();
                schema.Prune(next, unknown);
                if (unknown.Count > 0)
                {
                    throw ApiError.Invalid(request.Resource, request.Name!, [("patch", "FieldValueInvalid",
                        $"Invalid value: \"{patch.ToJsonString()}\": strict decoding error: {string.Join(", ", unknown.Select(u => $"unknown field \"{u}\""))}")]);
                }
            }

            return Update(request, ToStoredForm(request, next), fieldValidation, requireResourceVersion: false, Manager(request, "kubectl-patch"));
        });
        await WriteJsonAsync(request.Context, 200, ToClientForm(request, patched)).ConfigureAwait(false);
    }

    /// <summary>Server-side apply; creates a missing object (201). A conflict with another manager is a 409 unless forced.</summary>
    private (JsonObject Result, bool Created) Apply(ApiRequest request, JsonObject applied)
    {
        var resource = request.Resource;
        var manager = request.Query("fieldManager");
        if (manager.Length == 0)
        {
            throw new ApiError(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                new JsonObject { ["group"] = "meta.k8s.io", ["kind"] = "PatchOptions", ["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueRequired", ["message"] = "Required value: is required for apply patch", ["field"] = "fieldManager" }) });
        }

        CheckTypeAndNamespace(request, applied);
        ObjectStore.Metadata(applied)["name"] = request.Name;
        if (resource.Schema is { } schema)
        {
            var unknown = new List<string>();
            schema.Prune(applied, unknown);
            if (unknown.Count > 0)
            {
                throw new ApiError(500, "InternalError",
                    $"failed to create typed patch object ({request.Namespace}/{request.Name}; {resource.GroupVersion}, Kind={resource.Kind}): .{unknown[0]}: field not declared in schema");
            }
        }

        if (resource.HasStatusSubresource && resource.IsCustom && request.Subresource is null)
        {
            applied.Remove("status");
        }

        return store.Atomically(() =>
        {
            var current = store.Get(KeyOf(request));
            if (current is not null && Text(applied["metadata"]?["resourceVersion"]) is { } version && version != Text(current["metadata"]?["resourceVersion"]))
            {
                throw ApiError.Conflict(resource, request.Name!);
            }

            var outcome = ServerSideApply.Apply(current is null ? null : ToClientForm(request, current), applied, manager, request.Flag("force"),
                current is null ? [] : ManagedFieldsEntry.ListFrom(current), resource.GroupVersion, time.GetUtcNow(), request.Subresource);
            if (outcome.HasConflicts)
            {
                throw ApiError.FromStatus(outcome.ToConflictStatus());
            }

            var next = ToStoredForm(request, outcome.Object!);
            return current is null
                ? (Create(request, next, "Ignore", dryRun: false, managedFieldsDone: true), true)
                : (Update(request, next, "Ignore", requireResourceVersion: false, manager: null), false);
        });
    }

    private static JsonObject ParseApplyBody(string text)
    {
        try
        {
            // kubectl sends JSON; other appliers send YAML, which the manifest reader handles too.
            var node = text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : ManifestReader.Read(text, "apply patch").FirstOrDefault()?.Node;
            return node as JsonObject ?? throw ApiError.BadRequest("the apply patch must be an object");
        }
        catch (Exception e) when (e is JsonException or ManifestFormatException)
        {
            throw ApiError.BadRequest($"error decoding YAML: {e.Message}");
        }
    }

    /// <summary>The field manager: the fieldManager parameter, else the User-Agent up to its first '/', as the API server does.</summary>
    private static string Manager(ApiRequest request, string fallback)
    {
        var named = request.Query("fieldManager");
        if (named.Length > 0)
        {
            return named;
        }

        var agent = request.Context.Request.Headers.UserAgent.ToString();
        return agent.Length > 0 ? agent.Split('/')[0] : fallback;
    }
}
