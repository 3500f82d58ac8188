using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MeshBridge.Lab.ApiServer;

public sealed partial class ResourceEndpoint
{
    private async Task CreateAsync(ApiRequest request)
    {
        if (request is { Subresource: "token", Resource: { Group: "", Plural: "serviceaccounts" } })
        {
            await TokenRequestAsync(request).ConfigureAwait(false);
            return;
        }

        if (request.Resource is { Group: "authentication.k8s.io", Plural: "tokenreviews" })
        {
            await TokenReviewAsync(request).ConfigureAwait(false);
            return;
        }

        if (request.Subresource is not null || request.Name is not null)
        {
            throw ApiError.NoSuchPath();
        }

        var body = ToStoredForm(request, await ReadBodyAsync(request.Context).ConfigureAwait(false));
        var created = Create(request, body, request.Query("fieldValidation"), request.Flag("dryRun") || request.Query("dryRun") == "All");
        await WriteJsonAsync(request.Context, 201, ToClientForm(request, created)).ConfigureAwait(false);
    }

    internal JsonObject Create(ApiRequest request, JsonObject body, string fieldValidation, bool dryRun, bool managedFieldsDone = false)
    {
        var resource = request.Resource;
        CheckTypeAndNamespace(request, body);
        var metadata = ObjectStore.Metadata(body);
        if (Text(metadata["name"]) is not { Length: > 0 })
        {
            if (Text(metadata["generateName"]) is not { Length: > 0 } prefix)
            {
                throw ApiError.Invalid(resource, string.Empty, [("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")]);
            }

            metadata["name"] = prefix + Guid.NewGuid().ToString("N")[..5];
        }

        var name = Text(metadata["name"])!;
        if (resource.Namespaced && store.Get(new StoreKey("v1/namespaces", string.Empty, request.Namespace!)) is null)
        {
            throw new ApiError(404, "NotFound", $"namespaces \"{request.Namespace}\" not found", new JsonObject { ["name"] = request.Namespace, ["kind"] = "namespaces" });
        }

        foreach (var serverOwned in new[] { "resourceVersion", "uid", "creationTimestamp", "deletionTimestamp", "generation" })
        {
            metadata.Remove(serverOwned);
        }

        if (resource.HasStatusSubresource && resource.IsCustom)
        {
            body.Remove("status");
        }

        var admitted = Admit(request, body, name, fieldValidation);
        if (!managedFieldsDone)
        {
            admitted = Patching.ServerSideApply.RecordUpdate(null, admitted, Manager(request, "unknown"), null, [], resource.GroupVersion, time.GetUtcNow()).Object;
        }

        if (dryRun)
        {
            return admitted;
        }

        JsonObject stored;
        try
        {
            stored = store.Create(KeyOf(request, name), admitted, resource.HasGeneration);
        }
        catch (StoreException e) when (e.Reason == "AlreadyExists")
        {
            throw ApiError.AlreadyExists(resource, name);
        }

        OnStored(resource, stored);
        return stored;
    }

    private async Task UpdateAsync(ApiRequest request)
    {
        if (request.Subresource is not (null or "status"))
        {
            throw ApiError.NoSuchPath();
        }

        var body = ToStoredForm(request, await ReadBodyAsync(request.Context).ConfigureAwait(false));
        var updated = Update(request, body, request.Query("fieldValidation"), requireResourceVersion: request.Resource.IsCustom);
        await WriteJsonAsync(request.Context, 200, ToClientForm(request, updated)).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces an object: a stale resourceVersion is a 409; on the main endpoint status is kept from storage and on
    /// <c>/status</c> only status changes (apiextensions-apiserver status_strategy.go).
    /// </summary>
    /// <param name="manager">The field manager to record ("" derives it from the request; null when the caller already did).</param>
    internal JsonObject Update(ApiRequest request, JsonObject body, string fieldValidation, bool requireResourceVersion, string? manager = "")
    {
        var resource = request.Resource;
        CheckTypeAndNamespace(request, body);
        var metadata = ObjectStore.Metadata(body);
        var bodyName = Text(metadata["name"]);
        if (bodyName is not null && bodyName != request.Name)
        {
            throw ApiError.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({request.Name})");
        }

        metadata["name"] = request.Name;
        return store.Atomically(() =>
        {
            var current = store.Get(KeyOf(request)) ?? throw ApiError.NotFound(resource, request.Name!);
            var currentMetadata = ObjectStore.Metadata(current);
            var version = Text(metadata["resourceVersion"]);
            if (string.IsNullOrEmpty(version) && requireResourceVersion)
            {
                throw ApiError.Invalid(resource, request.Name!, [("metadata.resourceVersion", "FieldValueInvalid", "Invalid value: 0x0: must be specified for an update")]);
            }

            if (!string.IsNullOrEmpty(version) && version != Text(currentMetadata["resourceVersion"]))
            {
                throw ApiError.Conflict(resource, request.Name!);
            }

            var next = request.Subresource == "status" ? WithStatusFrom(current, body) : KeepStatus(resource, current, body);
            CheckFinalizers(resource, current, next);
            var admitted = Admit(request, next, request.Name!, fieldValidation);
            if (manager is not null)
            {
                admitted = Patching.ServerSideApply.RecordUpdate(current, admitted, manager.Length > 0 ? manager : Manager(request, "unknown"),
                    request.Subresource, Patching.ManagedFieldsEntry.ListFrom(current), resource.GroupVersion, time.GetUtcNow()).Object;
            }

            var stored = store.Update(KeyOf(request), admitted, resource.HasGeneration);
            OnStored(resource, stored);
            return stored;
        });
    }

    private static JsonObject WithStatusFrom(JsonObject current, JsonObject body)
    {
        var next = (JsonObject)current.DeepClone();
        next["status"] = body["status"]?.DeepClone();
        if (next["status"] is null)
        {
            next.Remove("status");
        }

        return next;
    }

    private static JsonObject KeepStatus(ApiResource resource, JsonObject current, JsonObject body)
    {
        if (!resource.HasStatusSubresource || !resource.IsCustom)
        {
            return body;
        }

        var next = (JsonObject)body.DeepClone();
        next.Remove("status");
        if (current["status"] is { } status)
        {
            next["status"] = status.DeepClone();
        }

        return next;
    }

    private static void CheckFinalizers(ApiResource resource, JsonObject current, JsonObject next)
    {
        if (current["metadata"]?["deletionTimestamp"] is null)
        {
            return;
        }

        var before = (current["metadata"]?["finalizers"] as JsonArray)?.Select(f => Text(f)).ToHashSet() ?? [];
        var added = (next["metadata"]?["finalizers"] as JsonArray)?.Select(f => Text(f)).Where(f => !before.Contains(f)).ToList() ?? [];
        if (added.Count > 0)
        {
            throw ApiError.Invalid(resource, Text(current["metadata"]?["name"]) ?? string.Empty,
                [("metadata.finalizers", "FieldValueForbidden", "Forbidden: no new finalizers can be added if the object is being deleted")]);
        }
    }

    private void CheckTypeAndNamespace(ApiRequest request, JsonObject body)
    {
        var resource = request.Resource;
        var apiVersion = Text(body["apiVersion"]);
        var kind = Text(body["kind"]);
        if (apiVersion is not null && apiVersion != resource.GroupVersion)
        {
            throw ApiError.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({resource.GroupVersion})");
        }

        if (kind is not null && kind != resource.Kind)
        {
            throw ApiError.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({resource.Kind})");
        }

        body["apiVersion"] = resource.GroupVersion;
        body["kind"] = resource.Kind;
        var metadata = ObjectStore.Metadata(body);
        var ns = Text(metadata["namespace"]);
        if (!resource.Namespaced)
        {
            metadata.Remove("namespace");
            return;
        }

        if (ns is { Length: > 0 } && ns != request.Namespace)
        {
            throw ApiError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        metadata["namespace"] = request.Namespace;
    }

    /// <summary>
    /// CRD objects are pruned and validated against their structural schema (reference/kube-api.md §8); unknown
    /// fields are an error with fieldValidation=Strict, a Warning header with Warn (the default), silent with Ignore.
    /// </summary>
    private JsonObject Admit(ApiRequest request, JsonObject body, string name, string fieldValidation)
    {
        var resource = request.Resource;
        if (resource.Schema is null)
        {
            return body;
        }

        var pruned = new List<string>();
        var kept = (JsonObject)resource.Schema.Prune(body, pruned)!;
        if (pruned.Count > 0)
        {
            var unknown = string.Join(", ", pruned.Select(p => $"unknown field \"{p}\""));
            if (fieldValidation == "Strict")
            {
                throw ApiError.BadRequest($"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: strict decoding error: {unknown}");
            }

            if (fieldValidation != "Ignore")
            {
                foreach (var path in pruned)
                {
                    request.Context.Response.Headers.Append("Warning", $"299 - \"unknown field \\\"{path}\\\"\"");
                }
            }
        }

        var errors = resource.Schema.Validate(kept);
        if (errors.Count > 0)
        {
            throw ApiError.Invalid(resource, name, [.. errors.Select(e => (e.Path, CauseReason(e), $"{e.Kind}: {e.Message}".TrimEnd(' ', ':')))]);
        }

        return kept;
    }

    private static string CauseReason(Crds.SchemaError error) => error.Kind switch
    {
        Crds.SchemaError.Required => "FieldValueRequired",
        Crds.SchemaError.Unsupported => "FieldValueNotSupported",
        _ when error.Message.Contains("must be of type", StringComparison.Ordinal) => "FieldValueTypeInvalid",
        _ => "FieldValueInvalid",
    };

    private void OnStored(ApiResource resource, JsonObject stored)
    {
        if (resource.Plural == "customresourcedefinitions")
        {
            catalog.AddCustomResourceDefinition(stored);
        }
    }

}
