using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// RFC 6902 JSON Patch (<c>application/json-patch+json</c>, what <c>kubectl patch --type=json</c> sends). Operations
/// apply in order to a copy of the document; the first that cannot apply fails the whole patch, as in
/// evanphx/json-patch, which kube-apiserver uses.
/// </summary>
public static class JsonPatch
{
    /// <summary>kube-apiserver refuses longer patches [apiserver/pkg/endpoints/handlers/patch.go maxJSONPatchOperations].</summary>
    public const int MaxOperations = 10_000;

    /// <summary>Applies <paramref name="patchOperations"/> to a copy of <paramref name="document"/>.</summary>
    /// <exception cref="PatchException">
    /// <see cref="PatchErrorKind.BadRequest"/> when the patch is not an array of operation objects,
    /// <see cref="PatchErrorKind.Invalid"/> when an operation cannot apply (a failed <c>test</c> included).
    /// </exception>
    public static JsonNode Apply(JsonNode document, JsonNode patchOperations)
    {
        var operations = Decode(patchOperations);
        JsonNode? result = document.DeepClone();
        foreach (var operation in operations)
        {
            result = ApplyOperation(result, operation);
        }

        // A patch may legally replace the whole document with null, but no Kubernetes object can be null.
        return result ?? throw new PatchException("the patched document is null");
    }

    /// <summary>The decoding kube-apiserver does before applying anything: errors here are 400, not 422.</summary>
    private static List<JsonObject?> Decode(JsonNode? patch)
    {
        // Go decodes a JSON null into an empty jsonpatch.Patch, which applies as a no-op.
        if (patch is null)
        {
            return [];
        }

        if (patch is not JsonArray array)
        {
            throw new PatchException(PatchErrorKind.BadRequest, $"json: cannot unmarshal {GoKind(patch)} into Go value of type jsonpatch.Patch");
        }

        if (array.Count > MaxOperations)
        {
            throw new PatchException(
                PatchErrorKind.RequestEntityTooLarge,
                $"The allowed maximum operations in a JSON patch is {MaxOperations}, got {array.Count}");
        }

        var operations = new List<JsonObject?>(array.Count);
        foreach (var item in array)
        {
            operations.Add(item switch
            {
                null => null,
                JsonObject operation => operation,
                _ => throw new PatchException(PatchErrorKind.BadRequest, $"json: cannot unmarshal {GoKind(item)} into Go value of type jsonpatch.Operation"),
            });
        }

        return operations;
    }

    private static JsonNode? ApplyOperation(JsonNode? root, JsonObject? operation)
    {
        var kind = operation?["op"] is JsonValue op && op.TryGetValue<string>(out var name) ? name : "unknown";
        if (operation is null)
        {
            throw new PatchException($"Unexpected kind: {kind}");
        }

        return kind switch
        {
            "add" => Add(root, PointerAt(operation, "path"), ValueOf(operation, kind)),
            "remove" => Remove(root, PointerAt(operation, "path")),
            "replace" => Replace(root, PointerAt(operation, "path"), ValueOf(operation, kind)),
            "move" => Move(root, PointerAt(operation, "from"), PointerAt(operation, "path")),
            "copy" => Copy(root, PointerAt(operation, "from"), PointerAt(operation, "path")),
            "test" => Test(root, PointerAt(operation, "path"), ValueOf(operation, kind)),
            _ => throw new PatchException($"Unexpected kind: {kind}"),
        };
    }

    private static JsonNode? Add(JsonNode? root, JsonPointer path, JsonNode? value)
    {
        if (path.IsRoot)
        {
            return value;
        }

        switch (ParentOf(root, path, "add"))
        {
            case JsonObject map:
                map[path.Last] = value;
                break;
            case JsonArray array when path.Last == JsonPointer.EndOfArray:
                array.Add(value);
                break;
            case JsonArray array:
                // RFC 6902 §4.1: an index equal to the length appends; anything beyond is an error.
                array.Insert(IndexIn(array, path.Last, allowEnd: true), value);
                break;
        }

        return root;
    }

    private static JsonNode? Remove(JsonNode? root, JsonPointer path)
    {
        if (path.IsRoot)
        {
            throw new PatchException("Unable to remove the whole document: missing value");
        }

        switch (ParentOf(root, path, "remove"))
        {
            case JsonObject map when !map.Remove(path.Last):
                throw new PatchException($"Unable to remove nonexistent key: {path.Last}: missing value");
            case JsonArray array:
                array.RemoveAt(IndexIn(array, path.Last, allowEnd: false));
                break;
        }

        return root;
    }

    private static JsonNode? Replace(JsonNode? root, JsonPointer path, JsonNode? value)
    {
        if (path.IsRoot)
        {
            return value;
        }

        switch (ParentOf(root, path, "replace"))
        {
            case JsonObject map when !map.ContainsKey(path.Last):
                throw new PatchException($"replace operation does not apply: doc is missing key: {path}: missing value");
            case JsonObject map:
                map[path.Last] = value;
                break;
            case JsonArray array:
                array[IndexIn(array, path.Last, allowEnd: false)] = value;
                break;
        }

        return root;
    }

    private static JsonNode? Move(JsonNode? root, JsonPointer from, JsonPointer path)
    {
        var value = Existing(root, from, "move");

        // RFC 6902 §4.4: a location cannot be moved into one of its own children.
        if (path.IsProperChildOf(from))
        {
            throw new PatchException($"move operation does not apply: path {path} is a child of from {from}");
        }

        if (path.Text == from.Text)
        {
            return root;
        }

        return Add(Remove(root, from), path, value);
    }

    private static JsonNode? Copy(JsonNode? root, JsonPointer from, JsonPointer path) =>
        Add(root, path, Existing(root, from, "copy"));

    private static JsonNode? Test(JsonNode? root, JsonPointer path, JsonNode? expected)
    {
        if (!path.TryResolve(root, out var actual) || !JsonValueEquality.AreEqual(actual, expected))
        {
            throw new PatchException($"testing value {path} failed: test failed");
        }

        return root;
    }

    /// <summary>A copy of the value at <paramref name="from"/>, which must exist.</summary>
    private static JsonNode? Existing(JsonNode? root, JsonPointer from, string kind) =>
        from.TryResolve(root, out var value)
            ? value?.DeepClone()
            : throw new PatchException($"{kind} operation does not apply: doc is missing from path: {from}: missing value");

    /// <summary>The object or array that holds the target of <paramref name="path"/>, which must exist.</summary>
    private static JsonNode ParentOf(JsonNode? root, JsonPointer path, string kind) =>
        path.Parent.TryResolve(root, out var parent) && parent is JsonObject or JsonArray
            ? parent
            : throw new PatchException($"{kind} operation does not apply: doc is missing path: \"{path}\": missing value");

    private static int IndexIn(JsonArray array, string token, bool allowEnd)
    {
        var limit = allowEnd ? array.Count : array.Count - 1;
        if (!JsonPointer.TryParseIndex(token, out var index) || index > limit)
        {
            throw new PatchException($"Unable to access invalid index: {token}: invalid index referenced");
        }

        return index;
    }

    private static JsonPointer PointerAt(JsonObject operation, string member) =>
        operation[member] is JsonValue value && value.TryGetValue<string>(out var text)
            ? JsonPointer.Parse(text)
            : throw new PatchException($"operation missing {member} field: missing value");

    /// <summary>
    /// RFC 6902 §4.1/4.3/4.6: <c>value</c> is required (though it may be null). The copy keeps the patch unmodified
    /// and lets the value join the document's tree.
    /// </summary>
    private static JsonNode? ValueOf(JsonObject operation, string kind) =>
        operation.TryGetPropertyValue("value", out var value)
            ? value?.DeepClone()
            : throw new PatchException($"{kind} operation missing value: missing value");

    private static string GoKind(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "array",
    };
}
