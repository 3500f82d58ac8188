using System.Text.Json.Nodes;
using MeshBridge.Transform;

namespace MeshBridge.Tests.Properties;

/// <summary>Laws of the transform, each checked on 300 generated inputs (seeds 0..299, reproducible).</summary>
public sealed class TransformPropertyTests
{
    public static IEnumerable<object[]> Seeds => Enumerable.Range(0, 300).Chunk(50).Select(c => new object[] { c[0], c.Length });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Transforming_twice_equals_transforming_once(int firstSeed, int count)
    {
        var changed = 0;
        foreach (var seed in Enumerable.Range(firstSeed, count))
        {
            var input = new VirtualServerGenerator(seed).Generate();
            var once = TransformHarness.Run(input.Select(Clone)).Documents;
            var twice = TransformHarness.Run(once).Documents;
            Same(once, twice, $"seed {seed}");
            changed += TransformHarness.Text(input) == TransformHarness.Text(once) ? 0 : 1;
        }

        // Guards the generator: most inputs must really be meshed, or this law would hold vacuously.
        Assert.True(changed * 2 > count, $"only {changed} of {count} generated inputs were changed by the transform");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Uninject_after_inject_restores_the_input_exactly(int firstSeed, int count)
    {
        foreach (var seed in Enumerable.Range(firstSeed, count))
        {
            var input = new VirtualServerGenerator(seed) { WithUnknownFields = seed % 2 == 0 }.Generate();
            var injected = TransformHarness.Run(input.Select(Clone)).Documents;
            var reverted = TransformHarness.Run(injected, MeshMode.None).Documents;
            Same(input, reverted, $"seed {seed}");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Switching_modes_equals_injecting_the_new_mode_directly(int firstSeed, int count)
    {
        MeshMode[] modes = [MeshMode.Sidecar, MeshMode.Ambient, MeshMode.EgressMtls, MeshMode.None];
        foreach (var seed in Enumerable.Range(firstSeed, count))
        {
            var input = new VirtualServerGenerator(seed).Generate();
            var from = modes[seed % 4];
            var to = modes[(seed / 4) % 4];
            var intermediate = TransformHarness.Run(input.Select(Clone), from).Documents;
            var switched = TransformHarness.Run(intermediate.Select(Clone), to).Documents;
            var (direct, result) = TransformHarness.Run(input.Select(Clone), to);

            // A target mode the input cannot take is refused either way, each run leaving its own input as it was.
            Same(result.HasErrors ? intermediate : direct, switched, $"seed {seed}: {from} -> {to}");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Fields_MeshBridge_does_not_own_survive_injection(int firstSeed, int count)
    {
        foreach (var seed in Enumerable.Range(firstSeed, count))
        {
            var input = new VirtualServerGenerator(seed) { WithUnknownFields = true }.Generate();
            var expected = UnknownPaths(input);
            var output = TransformHarness.Run(input.Select(Clone)).Documents;
            Assert.True(expected.Count > 0, $"seed {seed} generated no unknown fields");
            Assert.True(expected.SetEquals(UnknownPaths(output)), $"seed {seed}: unknown fields differ");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void An_object_with_an_error_is_returned_unchanged(int firstSeed, int count)
    {
        foreach (var seed in Enumerable.Range(firstSeed, count))
        {
            var input = new VirtualServerGenerator(seed).Generate();
            var server = input[0];
            var upstream = (JsonObject)server["spec"]!["upstreams"]![0]!;
            upstream["subselector"] = new JsonObject { ["version"] = "v2" };
            server["metadata"]!["annotations"]!["meshbridge.io/mode"] = "sidecar";

            var (output, result) = TransformHarness.Run(input.Select(Clone));

            Assert.Contains(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Reason == DiagnosticReasons.SubselectorWithClusterIP);
            Same(input, output, $"seed {seed}");
        }
    }

    private static void Same(IEnumerable<JsonObject> expected, IEnumerable<JsonObject> actual, string what)
    {
        var a = TransformHarness.Text(expected);
        var b = TransformHarness.Text(actual);
        Assert.True(a == b, $"{what}\nexpected:\n{a}\nactual:\n{b}");
    }

    private static JsonObject Clone(JsonObject document) => (JsonObject)document.DeepClone();

    /// <summary>The JSON paths of every "x-unknown…" field, with list positions, so a lost or moved one shows.</summary>
    private static HashSet<string> UnknownPaths(IEnumerable<JsonObject> documents)
    {
        var paths = new HashSet<string>();
        foreach (var document in documents)
        {
            Collect(document, document["kind"] + ":", paths);
        }

        return paths;
    }

    private static void Collect(JsonNode? node, string path, HashSet<string> paths)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    if (key.StartsWith("x-unknown", StringComparison.Ordinal))
                    {
                        paths.Add($"{path}.{key}={value?.ToJsonString()}");
                    }

                    Collect(value, $"{path}.{key}", paths);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Collect(array[i], $"{path}[{i}]", paths);
                }

                break;
        }
    }
}
