using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// RFC 7386 JSON Merge Patch (<c>application/merge-patch+json</c>: <c>kubectl patch --type=merge</c>, annotate,
/// label). Objects merge member by member, <c>null</c> deletes a member, and anything else (arrays included)
/// replaces the target outright — which is why a merge patch cannot edit one element of a list.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>The RFC 7386 §2 MergePatch(Target, Patch) function, on copies: neither argument is modified.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode patch) => MergeInto(target?.DeepClone(), patch);

    /// <summary>Merges into <paramref name="target"/>, which belongs to the result being built (never to an input).</summary>
    private static JsonNode? MergeInto(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject members)
        {
            return patch?.DeepClone();
        }

        // A patch object turns any non-object target into an object, discarding its contents (RFC 7386 §2).
        var result = target as JsonObject ?? [];
        foreach (var (name, value) in members)
        {
            if (value is null)
            {
                result.Remove(name);
                continue;
            }

            var current = result[name];
            var merged = MergeInto(current, value);
            if (!ReferenceEquals(merged, current))
            {
                result[name] = merged;
            }
        }

        return result;
    }
}
