using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Manifests;

/// <summary>
/// <c>meshbridge inject</c>/<c>uninject</c> over documents: NIC resources and NIC workloads go through
/// <see cref="MeshTransform"/>; every other document passes through untouched, in order. A created MeshBridge
/// Policy is placed before the first VirtualServer that references it, so <c>kubectl apply -f</c> creates it first.
/// </summary>
public static class InjectPipeline
{
    private const string NicApiVersion = "k8s.nginx.org/v1";

    public static PipelineResult Run(IReadOnlyList<ManifestDocument> documents, TransformOptions options)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(options);
        var diagnostics = new List<LocatedDiagnostic>();
        var locations = new Dictionary<ResourceKey, string>();
        var typed = new object?[documents.Count];
        var servers = new List<VirtualServer>();
        var routes = new List<VirtualServerRoute>();
        var policies = new List<Policy>();
        var workloads = new List<Workload>();
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            if (Key(document.Node, options) is not { } key)
            {
                continue;
            }

            locations.TryAdd(key, document.Location);
            try
            {
                typed[i] = key.Kind switch
                {
                    VirtualServer.KubeKind => Add(servers, document.Node.Deserialize(ModelJsonContext.Default.VirtualServer)),
                    VirtualServerRoute.KubeKind => Add(routes, document.Node.Deserialize(ModelJsonContext.Default.VirtualServerRoute)),
                    Policy.KubeKind => Add(policies, document.Node.Deserialize(ModelJsonContext.Default.Policy)),
                    _ => Add(workloads, document.Node.Deserialize(ModelJsonContext.Default.Workload)),
                };
            }
            catch (JsonException e)
            {
                var path = (e.Path ?? "$").TrimStart('$').TrimStart('.');
                diagnostics.Add(new LocatedDiagnostic(
                    new Diagnostic(DiagnosticSeverity.Error, key, path, "InvalidField", $"cannot be read: expected {ExpectedAt(key.Kind, path)}; left unchanged"),
                    document.Location));
            }
        }

        var result = MeshTransform.Apply(
            new TransformInput { VirtualServers = servers, VirtualServerRoutes = routes, Policies = policies, Workloads = workloads },
            options);
        diagnostics.AddRange(result.Diagnostics.Select(d => new LocatedDiagnostic(d, locations.GetValueOrDefault(d.Resource))));
        var output = Assemble(documents, typed, input: (servers, routes, policies, workloads), result, options);
        return new PipelineResult(output, diagnostics, result.CreatedPolicies);
    }

    private static List<OutputDocument> Assemble(
        IReadOnlyList<ManifestDocument> documents,
        object?[] typed,
        (List<VirtualServer> Servers, List<VirtualServerRoute> Routes, List<Policy> Policies, List<Workload> Workloads) input,
        TransformResult result,
        TransformOptions options)
    {
        var replacement = new Dictionary<object, object>(ReferenceEqualityComparer.Instance);
        Pair(input.Servers, result.VirtualServers, replacement);
        Pair(input.Routes, result.VirtualServerRoutes, replacement);
        Pair(input.Policies, result.Policies, replacement);
        Pair(input.Workloads, result.Workloads, replacement);
        var deleted = result.DeletedPolicies.ToHashSet();
        var created = result.CreatedPolicies.ToLookup(c => c.FirstReferencedBy);
        var output = new List<OutputDocument>();
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            var original = typed[i];
            if (original is VirtualServer vs)
            {
                var key = new ResourceKey(VirtualServer.KubeKind, options.NamespaceOf(vs.Metadata), vs.Metadata.Name ?? string.Empty);
                output.AddRange(created[key].Select(c => new OutputDocument(Serialize(c.Policy), null)));
            }

            if (original is Policy policy && deleted.Contains(new ResourceKey(Policy.KubeKind, options.NamespaceOf(policy.Metadata), policy.Metadata.Name ?? string.Empty)))
            {
                continue;
            }

            if (original is null || ReferenceEquals(replacement[original], original))
            {
                output.Add(new OutputDocument(document.Node, document.Text));
                continue;
            }

            output.Add(new OutputDocument(JsonOrder.LikeOriginal(Serialize(replacement[original]), document.Node), null));
        }

        return output;
    }

    private static void Pair<T>(List<T> before, IReadOnlyList<T> after, Dictionary<object, object> map)
        where T : class
    {
        for (var i = 0; i < before.Count; i++)
        {
            map[before[i]] = after[i];
        }
    }

    private static JsonNode? Serialize(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), ModelJsonContext.Default);

    private static T Add<T>(List<T> list, T? item)
    {
        list.Add(item!);
        return item!;
    }

    /// <summary>The key of a document the transform looks at; null for everything that passes through.</summary>
    private static ResourceKey? Key(JsonNode? node, TransformOptions options)
    {
        if (node is not JsonObject map)
        {
            return null;
        }

        var apiVersion = Text(map, "apiVersion");
        var kind = Text(map, "kind");
        var nic = apiVersion == NicApiVersion && kind is VirtualServer.KubeKind or VirtualServerRoute.KubeKind or Policy.KubeKind;
        var workload = apiVersion == "apps/v1" && kind is not null && Workload.Kinds.Contains(kind);
        if (!nic && !workload)
        {
            return null;
        }

        var metadata = map["metadata"] as JsonObject;
        var ns = metadata is null ? null : Text(metadata, "namespace");
        return new ResourceKey(kind!, string.IsNullOrEmpty(ns) ? options.DefaultNamespace : ns, (metadata is null ? null : Text(metadata, "name")) ?? string.Empty);
    }

    private static string? Text(JsonObject map, string key) =>
        map[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>What the model declares at a JSON path, found by walking the source-generated type metadata.</summary>
    private static string ExpectedAt(string kind, string path)
    {
        var context = ModelJsonContext.Default;
        JsonTypeInfo? info = kind switch
        {
            VirtualServer.KubeKind => context.VirtualServer,
            VirtualServerRoute.KubeKind => context.VirtualServerRoute,
            Policy.KubeKind => context.Policy,
            _ => context.Workload,
        };
        foreach (var segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Split('[')[0];
            info = info?.Properties.FirstOrDefault(p => p.Name == name) is { } property ? context.GetTypeInfo(property.PropertyType) : null;
            if (segment.Contains('[', StringComparison.Ordinal))
            {
                info = info?.ElementType is { } element ? context.GetTypeInfo(element) : null;
            }
        }

        var type = info?.Type is { } t ? Nullable.GetUnderlyingType(t) ?? t : null;
        return type switch
        {
            null => "the type the NIC CRD declares",
            _ when type == typeof(int) || type == typeof(long) => "an integer",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(string) => "a string",
            _ when info!.Kind == JsonTypeInfoKind.Dictionary => "a map of strings",
            _ when info!.Kind == JsonTypeInfoKind.Enumerable => "a list",
            _ => "an object",
        };
    }
}
