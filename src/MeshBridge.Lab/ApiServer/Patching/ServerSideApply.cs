using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// Field ownership as kube-apiserver's field manager keeps it (docs/reference/using-api/server-side-apply/;
/// structured-merge-diff merge/update.go), for schemas where every list is atomic and every map is granular —
/// true of the NIC CRDs and of what the lab stores. <see cref="Apply"/> is a server-side apply;
/// <see cref="RecordUpdate"/> is every other write.
/// </summary>
public static class ServerSideApply
{
    /// <summary>Owns what an untracked object already held when it is first applied to [internal/skipnonapplied.go].</summary>
    public const string BeforeFirstApplyManager = "before-first-apply";

    /// <summary>
    /// Applies <paramref name="applied"/> for <paramref name="manager"/>. Values merge into the live object (maps by
    /// key, lists and scalars replaced whole); a field set to a value different from live that another manager owns
    /// is a conflict unless <paramref name="force"/> takes it over; an equal value is shared; fields this manager
    /// applied last time and omits now are removed unless someone else owns them. <paramref name="live"/> null is a
    /// create. The caller strips what the endpoint resets (<c>.status</c> on the main resource of a CR with a status
    /// subresource) before calling.
    /// </summary>
    /// <param name="live">The stored object, or null to create; its own managedFields are ignored in favour of <paramref name="managedFields"/>.</param>
    /// <param name="applied">The request body. Its metadata.resourceVersion merges like any field; checking it as a precondition is the caller's job.</param>
    /// <param name="managedFields">The live entries (<see cref="ManagedFieldsEntry.ListFrom"/> of the stored object).</param>
    /// <param name="apiVersion">The group/version the request was made in, recorded on the entry.</param>
    /// <param name="now">The entry's time; kept at whole seconds, and not used at all when nothing changes.</param>
    /// <param name="subresource">"status" for an apply to /status, which makes it a different manager.</param>
    /// <exception cref="PatchException">The applied configuration carries managedFields (400, as the API server).</exception>
    public static ApplyOutcome Apply(
        JsonObject? live,
        JsonObject applied,
        string manager,
        bool force,
        IReadOnlyList<ManagedFieldsEntry> managedFields,
        string apiVersion,
        DateTimeOffset now,
        string? subresource = null)
    {
        if (applied["metadata"]?["managedFields"] is not null)
        {
            throw new PatchException(PatchErrorKind.BadRequest, "metadata.managedFields must be nil");
        }

        var time = ManagedFieldsEntry.WireTime(now);
        var before = ManagedFieldsList.Detach(live) ?? [];
        var entries = managedFields.ToList();
        if (live is not null && entries.Count == 0)
        {
            // An object nobody tracks (its managedFields were cleared) is first handed to a placeholder owner, so
            // the first applier cannot silently overwrite what others wrote [internal/skipnonapplied.go].
            entries.Add(new ManagedFieldsEntry(BeforeFirstApplyManager, ManagedFieldsOperation.Update, apiVersion, time, FieldComparison.Between([], before).Changed));
        }

        var self = new ManagedFieldsEntry(manager, ManagedFieldsOperation.Apply, apiVersion, time, FieldSet.FromObject(applied), subresource);
        var previous = entries.Find(self.IsSameManager);
        var others = entries.Where(entry => !entry.IsSameManager(self)).ToList();

        var merged = (JsonObject)before.DeepClone();
        MergeInto(merged, applied);
        var owned = others.Aggregate(self.Fields, (union, entry) => union.Union(entry.Fields));
        RemoveDisowned(merged, (previous?.Fields ?? FieldSet.Empty).Except(owned), owned);

        var comparison = FieldComparison.Between(before, merged);
        var conflicts = others
            .SelectMany(entry => entry.Fields.Intersect(comparison.Changed).Paths.Select(path => new FieldConflict(entry, path)))
            .ToList();
        if (conflicts.Count > 0 && !force)
        {
            return ApplyOutcome.Conflicted(conflicts);
        }

        // Forcing moves the conflicting fields to the applier; fields that disappeared belong to nobody.
        var result = ManagedFieldsList.Release(others, comparison.Changed.Union(comparison.Removed));
        if (!self.Fields.IsEmpty)
        {
            result.Add(self);
        }

        var final = ManagedFieldsList.Finish(before, merged, managedFields, result);
        return ApplyOutcome.Applied(ManagedFieldsList.Attach(merged, final), final);
    }

    /// <summary>
    /// Records a create (<paramref name="before"/> null), update or non-apply patch by <paramref name="manager"/>:
    /// every added or changed field becomes its own (operation Update) and leaves everyone else's set, removed fields
    /// leave every set. Never conflicts. As the API server does, managedFields written by the client in
    /// <paramref name="after"/> replace the live ones (<c>[]</c> or <c>[{}]</c> clears them) except on a subresource,
    /// and an existing object whose managedFields are empty stays untracked until its next apply.
    /// </summary>
    public static UpdateOutcome RecordUpdate(
        JsonObject? before,
        JsonObject after,
        string manager,
        string? subresource,
        IReadOnlyList<ManagedFieldsEntry> managedFields,
        string apiVersion,
        DateTimeOffset now)
    {
        var entries = ManagedFieldsList.ForUpdate(after, managedFields, isSubresource: subresource is not null);
        var oldObject = ManagedFieldsList.Detach(before) ?? [];
        var newObject = ManagedFieldsList.Detach(after)!;
        if (entries.Count == 0 && before is not null)
        {
            return new UpdateOutcome(newObject, []);
        }

        var comparison = FieldComparison.Between(oldObject, newObject);
        var result = ManagedFieldsList.Release(entries, comparison.Changed.Union(comparison.Removed));
        if (!comparison.Changed.IsEmpty)
        {
            var self = new ManagedFieldsEntry(manager, ManagedFieldsOperation.Update, apiVersion, ManagedFieldsEntry.WireTime(now), comparison.Changed, subresource);
            var previous = result.FindIndex(self.IsSameManager);
            if (previous >= 0)
            {
                self = self with { Fields = result[previous].Fields.Union(self.Fields) };
                result.RemoveAt(previous);
            }

            result.Add(self);
        }

        var final = ManagedFieldsList.Finish(oldObject, newObject, managedFields, result);
        return new UpdateOutcome(ManagedFieldsList.Attach(newObject, final), final);
    }

    /// <summary>structured-merge-diff's merge for granular maps and atomic lists: maps merge by key, the rest replaces.</summary>
    private static void MergeInto(JsonObject target, JsonObject config)
    {
        foreach (var (name, value) in config)
        {
            if (target[name] is JsonObject existing && value is JsonObject nested)
            {
                MergeInto(existing, nested);
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }

    /// <summary>
    /// Removes what the applier gave up. A path someone still owns something under is kept. A map the removal
    /// leaves empty goes too: structured-merge-diff's RemoveItems turns it into null, which the CR decoder drops.
    /// </summary>
    private static void RemoveDisowned(JsonObject merged, FieldSet disowned, FieldSet owned)
    {
        foreach (var path in disowned.Paths.Reverse())
        {
            if (owned.Paths.Any(kept => path.IsPrefixOf(kept)))
            {
                continue;
            }

            RemovePath(merged, path.Elements, 0);
        }
    }

    /// <summary>Removes the field at <paramref name="elements"/>; true when <paramref name="map"/> ends up empty.</summary>
    private static bool RemovePath(JsonObject map, IReadOnlyList<string> elements, int depth)
    {
        var element = elements[depth];
        if (!element.StartsWith(FieldPath.FieldPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var name = element[FieldPath.FieldPrefix.Length..];
        if (depth == elements.Count - 1)
        {
            return map.Remove(name) && map.Count == 0;
        }

        if (map[name] is JsonObject child && RemovePath(child, elements, depth + 1))
        {
            map.Remove(name);
            return map.Count == 0;
        }

        return false;
    }
}
