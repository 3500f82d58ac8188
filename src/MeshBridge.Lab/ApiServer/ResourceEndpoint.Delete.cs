using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer;

public sealed partial class ResourceEndpoint
{
    private async Task DeleteAsync(ApiRequest request)
    {
        if (request.Subresource is not null)
        {
            throw ApiError.NoSuchPath();
        }

        var options = await ReadDeleteOptionsAsync(request).ConfigureAwait(false);
        var (last, pending) = Delete(request, request.Name!, options);
        var returnsObject = pending || request.Resource is { Group: "", Plural: "namespaces" or "pods" or "serviceaccounts" };
        if (returnsObject)
        {
            await WriteJsonAsync(request.Context, 200, ToClientForm(request, last)).ConfigureAwait(false);
            return;
        }

        var details = new JsonObject { ["name"] = request.Name };
        if (request.Resource.Group.Length > 0)
        {
            details["group"] = request.Resource.Group;
        }

        details["kind"] = request.Resource.Plural;
        details["uid"] = Text(last["metadata"]?["uid"]);
        var status = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["details"] = details };
        await WriteJsonAsync(request.Context, 200, status).ConfigureAwait(false);
    }

    private async Task DeleteCollectionAsync(ApiRequest request)
    {
        var labels = LabelSelector.Parse(request.Query("labelSelector"));
        var fields = FieldSelector.Parse(request.Query("fieldSelector"), IsCoreEvents(request.Resource));
        var options = await ReadDeleteOptionsAsync(request).ConfigureAwait(false);
        var (items, _) = store.List(KeyOf(request).Resource, request.Resource.Namespaced ? request.Namespace : null);
        var deleted = new JsonArray();
        foreach (var item in items.Select(i => ToClientForm(request, i)).Where(i => labels.Matches(i) && fields.Matches(i)))
        {
            deleted.Add(ToClientForm(request, Delete(request, Text(item["metadata"]?["name"])!, options).Last));
        }

        var list = new JsonObject { ["kind"] = $"{request.Resource.Kind}List", ["apiVersion"] = request.Resource.GroupVersion, ["metadata"] = new JsonObject(), ["items"] = deleted };
        await WriteJsonAsync(request.Context, 200, list).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes with DeleteOptions: preconditions, and owner-reference propagation — Background (dependents
    /// collected after the owner), Foreground (dependents first; simplified to synchronous), Orphan (references
    /// stripped). Deleting a namespace deletes what is in it; deleting a CRD unregisters its resource.
    /// </summary>
    internal (JsonObject Last, bool Pending) Delete(ApiRequest request, string name, JsonObject options)
    {
        var resource = request.Resource;
        var key = KeyOf(request, name);
        var current = store.Get(key) ?? throw ApiError.NotFound(resource, name);
        var metadata = ObjectStore.Metadata(current);
        if (Text(options["preconditions"]?["uid"]) is { } uid && uid != Text(metadata["uid"]))
        {
            throw new ApiError(409, "Conflict", $"Precondition failed: UID in precondition: {uid}, UID in object meta: {Text(metadata["uid"])}");
        }

        if (Text(options["preconditions"]?["resourceVersion"]) is { } rv && rv != Text(metadata["resourceVersion"]))
        {
            throw ApiError.Conflict(resource, name);
        }

        if (options["dryRun"] is JsonArray { Count: > 0 })
        {
            return (current, false);
        }

        var ownerUid = Text(metadata["uid"])!;
        var policy = Text(options["propagationPolicy"]) ?? (options["orphanDependents"]?.GetValue<bool>() == true ? "Orphan" : "Background");
        if (policy == "Orphan")
        {
            Orphan(ownerUid);
        }
        else if (policy == "Foreground")
        {
            CollectGarbage(ownerUid, force: true);
        }

        if (resource is { Group: "", Plural: "namespaces" })
        {
            foreach (var inside in store.Keys(k => k.Namespace == name))
            {
                store.Delete(inside, hasGeneration: false);
            }
        }

        var (last, pending) = store.Delete(key, resource.HasGeneration);
        if (!pending)
        {
            CollectGarbage(ownerUid, force: false);
            if (resource.Plural == "customresourcedefinitions")
            {
                UnregisterCrd(last);
            }
        }

        return (last, pending);
    }

    private void CollectGarbage(string ownerUid, bool force)
    {
        foreach (var dependent in store.Dependents(ownerUid))
        {
            var obj = store.Get(dependent);
            if (obj is null)
            {
                continue;
            }

            var references = ObjectStore.Metadata(obj)["ownerReferences"]!.AsArray();
            var others = references.Where(r => Text(r?["uid"]) != ownerUid).ToList();
            var liveOwners = others.Where(r => OwnerExists(Text(r?["uid"]))).ToList();
            if (force || liveOwners.Count == 0)
            {
                var uid = Text(ObjectStore.Metadata(obj)["uid"])!;
                store.Delete(dependent, hasGeneration: false);
                CollectGarbage(uid, force);
            }
            else
            {
                ObjectStore.Metadata(obj)["ownerReferences"] = new JsonArray([.. liveOwners.Select(r => r!.DeepClone())]);
                store.Update(dependent, obj, hasGeneration: false);
            }
        }
    }

    private void Orphan(string ownerUid)
    {
        foreach (var dependent in store.Dependents(ownerUid))
        {
            if (store.Get(dependent) is { } obj)
            {
                var metadata = ObjectStore.Metadata(obj);
                var kept = metadata["ownerReferences"]!.AsArray().Where(r => Text(r?["uid"]) != ownerUid).Select(r => r!.DeepClone()).ToArray();
                if (kept.Length == 0)
                {
                    metadata.Remove("ownerReferences");
                }
                else
                {
                    metadata["ownerReferences"] = new JsonArray(kept);
                }

                store.Update(dependent, obj, hasGeneration: false);
            }
        }
    }

    private bool OwnerExists(string? uid) => uid is not null && store.ContainsUid(uid);

    private static async Task<JsonObject> ReadDeleteOptionsAsync(ApiRequest request)
    {
        var options = new JsonObject();
        if (request.Context.Request.ContentLength is > 0 || request.Context.Request.Headers.TransferEncoding.Count > 0)
        {
            options = await ReadBodyAsync(request.Context).ConfigureAwait(false);
        }

        if (request.Query("propagationPolicy") is { Length: > 0 } policy)
        {
            options["propagationPolicy"] = policy;
        }

        if (request.Query("dryRun") == "All")
        {
            options["dryRun"] = new JsonArray("All");
        }

        return options;
    }

    private void UnregisterCrd(JsonObject crd)
    {
        foreach (var version in crd["spec"]?["versions"]?.AsArray() ?? [])
        {
            var served = catalog.Find($"{Text(crd["spec"]?["group"])}/{Text(version?["name"])}", Text(crd["spec"]?["names"]?["plural"]) ?? string.Empty);
            if (served is not null)
            {
                catalog.Remove(served);
                foreach (var key in store.Keys(k => k.Resource == StoreKey.ResourceId(served)))
                {
                    store.Delete(key, hasGeneration: false);
                }
            }
        }
    }
}
