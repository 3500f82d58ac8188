using System.Text.Json.Nodes;

namespace MeshBridge.Tests.Properties;

/// <summary>
/// Random but reproducible VirtualServers (and VirtualServerRoutes they reference), covering the shapes the transform
/// treats differently: pass and proxy actions, splits, matches, redirect/return, user headers (some a Host equal to
/// MeshBridge's), explicit use-cluster-ip and tls values, policies, optional unknown fields everywhere.
/// </summary>
internal sealed class VirtualServerGenerator(int seed)
{
    private static readonly string[] Modes = ["sidecar", "ambient", "egress-mtls", "none"];
    private readonly Random random = new(seed);

    public bool WithUnknownFields { get; init; }

    public List<JsonObject> Generate()
    {
        var ns = Pick("shop", "web", "demo-meshed");
        var host = $"app{random.Next(100)}.example.com";
        var upstreams = Enumerable.Range(0, random.Next(1, 4)).Select(i => Upstream($"u{i}")).ToList();
        var names = upstreams.Select(u => u["name"]!.GetValue<string>()).ToArray();
        var routes = new JsonArray();
        for (var r = 0; r < random.Next(1, 5); r++)
        {
            routes.Add(Route($"/p{r}", names, ns));
        }

        var documents = new List<JsonObject>();
        if (random.Next(3) == 0)
        {
            routes.Add(new JsonObject { ["path"] = "/sub", ["route"] = "sub" });
            documents.Add(Unknown(new JsonObject
            {
                ["apiVersion"] = "k8s.nginx.org/v1",
                ["kind"] = "VirtualServerRoute",
                ["metadata"] = new JsonObject { ["name"] = "sub", ["namespace"] = ns },
                ["spec"] = new JsonObject
                {
                    ["host"] = host,
                    ["upstreams"] = new JsonArray(Upstream("s0")),
                    ["subroutes"] = new JsonArray(Route("/sub/a", ["s0"], ns)),
                },
            }));
        }

        var annotations = new JsonObject { ["meshbridge.io/mode"] = Pick(Modes) };
        if (random.Next(4) == 0)
        {
            annotations["meshbridge.io/host-format"] = "short";
        }

        var spec = new JsonObject { ["host"] = host, ["upstreams"] = new JsonArray([.. upstreams]), ["routes"] = routes };
        if (random.Next(3) == 0)
        {
            spec["policies"] = new JsonArray(new JsonObject { ["name"] = "rate-limit" });
        }

        documents.Insert(0, Unknown(new JsonObject
        {
            ["apiVersion"] = "k8s.nginx.org/v1",
            ["kind"] = "VirtualServer",
            ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = ns, ["annotations"] = annotations },
            ["spec"] = spec,
        }));
        return documents;
    }

    private JsonObject Upstream(string name)
    {
        var upstream = new JsonObject
        {
            ["name"] = name,
            ["service"] = random.Next(4) == 0 ? $"other/svc-{name}" : $"svc-{name}",
            ["port"] = Pick(80, 8080, 9000),
        };
        switch (random.Next(4))
        {
            case 0: upstream["use-cluster-ip"] = random.Next(2) == 0; break;
            case 1: upstream["tls"] = random.Next(2) == 0 ? new JsonObject() : new JsonObject { ["enable"] = random.Next(2) == 0 }; break;
        }

        if (random.Next(3) == 0)
        {
            upstream["lb-method"] = "least_conn";
        }

        return upstream;
    }

    private JsonObject Route(string path, string[] upstreams, string ns)
    {
        var route = new JsonObject { ["path"] = path };
        switch (random.Next(4))
        {
            case 0:
                route["splits"] = new JsonArray(Split(upstreams, ns, 60), Split(upstreams, ns, 40));
                break;
            case 1:
                route["matches"] = new JsonArray(new JsonObject
                {
                    ["conditions"] = new JsonArray(new JsonObject { ["header"] = "x-v", ["value"] = "2" }),
                    ["action"] = Action(upstreams, ns),
                });
                route["action"] = Action(upstreams, ns);
                break;
            default:
                route["action"] = Action(upstreams, ns);
                break;
        }

        return route;
    }

    private JsonObject Split(string[] upstreams, string ns, int weight) => new() { ["weight"] = weight, ["action"] = Action(upstreams, ns) };

    private JsonObject Action(string[] upstreams, string ns)
    {
        var upstream = Pick(upstreams);
        switch (random.Next(6))
        {
            case 0: return new JsonObject { ["return"] = new JsonObject { ["code"] = 200, ["body"] = "ok" } };
            case 1:
            case 2: return new JsonObject { ["pass"] = upstream };
        }

        var proxy = new JsonObject { ["upstream"] = upstream };
        if (random.Next(2) == 0)
        {
            proxy["rewritePath"] = "/";
        }

        var set = new JsonArray();
        if (random.Next(3) == 0)
        {
            set.Add(new JsonObject { ["name"] = "X-Team", ["value"] = "${http_x_team}" });
        }

        if (random.Next(4) == 0)
        {
            set.Add(new JsonObject { ["name"] = "host", ["value"] = $"svc-{upstream}.{ns}.svc.cluster.local" });
        }

        if (set.Count > 0 || random.Next(3) == 0)
        {
            proxy["requestHeaders"] = new JsonObject { ["set"] = set };
        }

        return new JsonObject { ["proxy"] = proxy };
    }

    private JsonObject Unknown(JsonObject document)
    {
        if (WithUnknownFields)
        {
            Model.SchemaSampler.AddUnknownFields(document, $"unknown{random.Next(1000)}");
        }

        return document;
    }

    private T Pick<T>(params T[] items) => items[random.Next(items.Length)];
}
