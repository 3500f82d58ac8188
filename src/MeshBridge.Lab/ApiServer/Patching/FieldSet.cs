using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// The fields one manager owns, as in a managedFields entry's <c>fieldsV1</c>: a trie whose keys are path elements,
/// <c>{}</c> marking an owned leaf and <c>".": {}</c> marking an owned map that also has owned children
/// [structured-merge-diff fieldpath/serialize.go]. Immutable; set operations return new sets.
/// </summary>
public sealed class FieldSet : IEquatable<FieldSet>
{
    private const string Self = ".";

    /// <summary>
    /// What the API server never tracks [apimachinery/pkg/util/managedfields/internal/stripmeta.go]: the type, the
    /// identity and the server-written parts of metadata. <c>metadata</c> itself is stripped as a member only.
    /// </summary>
    private static readonly FieldPath[] ServerOwned =
    [
        FieldPath.Of("apiVersion"),
        FieldPath.Of("kind"),
        FieldPath.Of("metadata", "name"),
        FieldPath.Of("metadata", "namespace"),
        FieldPath.Of("metadata", "creationTimestamp"),
        FieldPath.Of("metadata", "selfLink"),
        FieldPath.Of("metadata", "uid"),
        FieldPath.Of("metadata", "clusterName"),
        FieldPath.Of("metadata", "generation"),
        FieldPath.Of("metadata", "managedFields"),
        FieldPath.Of("metadata", "resourceVersion"),
    ];

    private static readonly FieldPath Metadata = FieldPath.Of("metadata");

    private readonly ImmutableSortedSet<FieldPath> paths;

    public FieldSet(IEnumerable<FieldPath> paths)
    {
        this.paths = paths.ToImmutableSortedSet();
    }

    private FieldSet(ImmutableSortedSet<FieldPath> paths)
    {
        this.paths = paths;
    }

    public static FieldSet Empty { get; } = new(ImmutableSortedSet<FieldPath>.Empty);

    /// <summary>The owned paths, parents before children.</summary>
    public IReadOnlyCollection<FieldPath> Paths => paths;

    public int Count => paths.Count;

    public bool IsEmpty => paths.IsEmpty;

    public static FieldSet Of(params FieldPath[] paths) => new(paths);

    /// <summary>
    /// The fields an applied configuration sets, as structured-merge-diff's ToFieldSet computes them for our
    /// schemas: every scalar (null included) and every list is a leaf (lists are atomic); maps — spec, labels,
    /// annotations — are granular, so they contribute their members, not themselves, and an empty map owns nothing.
    /// Server-owned metadata (name, namespace, resourceVersion, managedFields, …) and apiVersion/kind are left out.
    /// </summary>
    public static FieldSet FromObject(JsonObject obj)
    {
        var found = new List<FieldPath>();
        CollectLeaves(obj, FieldPath.Root, found);
        return new FieldSet(found).WithoutServerOwned();
    }

    /// <summary>Reads a managedFields entry's <c>fieldsV1</c>.</summary>
    /// <exception cref="FormatException">A key is neither <c>.</c> nor a path element, or a value is not an object.</exception>
    public static FieldSet FromFieldsV1(JsonObject fieldsV1)
    {
        var found = new List<FieldPath>();
        ReadTrie(fieldsV1, FieldPath.Root, found);
        return new FieldSet(found);
    }

    /// <summary>Writes the set as <c>fieldsV1</c>, children in the order the API server writes them.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new TrieNode();
        foreach (var path in paths)
        {
            var node = root;
            foreach (var element in path.Elements)
            {
                node = node.Child(element);
            }

            node.Owned = true;
        }

        return root.ToJson();
    }

    public bool Contains(FieldPath path) => paths.Contains(path);

    public FieldSet Union(FieldSet other) => new(paths.Union(other.paths));

    public FieldSet Except(FieldSet other) => new(paths.Except(other.paths));

    public FieldSet Intersect(FieldSet other) => new(paths.Intersect(other.paths));

    public bool Equals(FieldSet? other) => other is not null && paths.SetEquals(other.paths);

    public override bool Equals(object? obj) => Equals(obj as FieldSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var path in paths)
        {
            hash.Add(path);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", paths);

    /// <summary>The set without what the API server never tracks (see <see cref="ServerOwned"/>).</summary>
    internal FieldSet WithoutServerOwned() =>
        new(paths.Where(path => !path.Equals(Metadata) && !ServerOwned.Any(owned => owned.IsPrefixOf(path))));

    private static void CollectLeaves(JsonObject map, FieldPath at, List<FieldPath> found)
    {
        foreach (var (name, value) in map)
        {
            var path = at.Field(name);
            if (value is JsonObject child)
            {
                CollectLeaves(child, path, found);
            }
            else
            {
                found.Add(path);
            }
        }
    }

    private static void ReadTrie(JsonObject node, FieldPath at, List<FieldPath> found)
    {
        foreach (var (key, value) in node)
        {
            if (value is not JsonObject child)
            {
                throw new FormatException($"fieldsV1 at {at}: the value of \"{key}\" must be an object");
            }

            if (key == Self)
            {
                found.Add(at);
            }
            else if (!FieldPath.IsElement(key))
            {
                throw new FormatException($"fieldsV1 at {at}: \"{key}\" is not a path element (f:, k:, v:, i:) or \".\"");
            }
            else if (child.Count == 0)
            {
                found.Add(at.Extend(key));
            }
            else
            {
                ReadTrie(child, at.Extend(key), found);
            }
        }
    }

    private sealed class TrieNode
    {
        private readonly SortedDictionary<string, TrieNode> children = new(StringComparer.Ordinal);

        public bool Owned { get; set; }

        public TrieNode Child(string element)
        {
            if (!children.TryGetValue(element, out var child))
            {
                child = new TrieNode();
                children[element] = child;
            }

            return child;
        }

        public JsonObject ToJson()
        {
            var json = new JsonObject();
            if (Owned && children.Count > 0)
            {
                json[Self] = new JsonObject();
            }

            foreach (var (element, child) in children)
            {
                json[element] = child.ToJson();
            }

            return json;
        }
    }
}
