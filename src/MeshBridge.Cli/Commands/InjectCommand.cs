using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Manifests;
using MeshBridge.Transform;

namespace MeshBridge.Cli.Commands;

/// <summary>
/// <c>meshbridge inject</c> and <c>meshbridge uninject</c>: the controller's transform, offline, for GitOps (like
/// <c>istioctl kube-inject</c>). Manifests in, mesh-ready manifests out; diagnostics on stderr.
/// </summary>
internal static class InjectCommand
{
    public static Command Create(CliConsole console, bool revert)
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "A manifest file, a directory of them (.yaml, .yml, .json), or - for stdin. Repeatable. Default: stdin.",
            HelpName = "FILE|DIR",
        };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "Read directories given with -f recursively." };
        var mode = new Option<string?>("--mode")
        {
            Description = "Use this mode for every VirtualServer instead of its meshbridge.io/mode annotation.",
            HelpName = "sidecar|ambient|egress-mtls|none",
        };
        mode.AcceptOnlyFromAmong([.. MeshModes.Names]);
        var clusterDomain = new Option<string>("--cluster-domain")
        {
            Description = "The cluster's DNS domain, used in the Host header <svc>.<ns>.svc.<domain>.",
            DefaultValueFactory = _ => "cluster.local",
        };
        var hostFormat = new Option<string?>("--host-format")
        {
            Description = "Host header form: fqdn (<svc>.<ns>.svc.<domain>) or short (<svc>.<ns>). Overrides meshbridge.io/host-format.",
        };
        hostFormat.AcceptOnlyFromAmong("fqdn", "short");
        var workload = new Option<string?>("--ingress-workload")
        {
            Description = "NIC's workload, e.g. nginx-ingress/Deployment/nginx-ingress. Default: recognised by its image or args.",
            HelpName = "NAMESPACE/KIND/NAME",
        };
        var identity = new Option<string?>("--nic-service-account")
        {
            Description = "NIC's identity for egress-mtls when NIC's workload is not among the inputs.",
            HelpName = "NAMESPACE/NAME",
            DefaultValueFactory = _ => NicIdentity.Default.ToString(),
        };
        var revision = new Option<string?>("--istio-revision")
        {
            Description = "Revisioned Istio: enroll NIC with the label istio.io/rev=<REV> instead of sidecar.istio.io/inject=true.",
            HelpName = "REV",
        };
        var apiServer = new Option<string[]>("--api-server-address")
        {
            Description = "An API server IP or CIDR the NIC sidecar must not capture (excludeOutboundIPRanges). Repeatable.",
            HelpName = "IP|CIDR",
        };
        var defaultNamespace = new Option<string>("--namespace", "-n")
        {
            Description = "Namespace of manifests that name none (as kubectl apply -n would place them).",
            DefaultValueFactory = _ => "default",
        };
        var output = new Option<string>("--output", "-o") { Description = "Output format.", DefaultValueFactory = _ => "yaml" };
        output.AcceptOnlyFromAmong("yaml", "json");

        var command = revert
            ? new Command("uninject", "Undo exactly what inject changed (the meshbridge.io/applied records); your own edits stay.")
            : new Command("inject", "Rewrite NIC VirtualServers, VirtualServerRoutes and NIC's workload for the mesh, offline.\n" +
                "Documents that are neither NIC resources nor NIC's workload pass through unchanged, in order.\n" +
                "Exit code: 0 clean, 1 when any document had an error (that document is written unchanged), 2 usage.");
        Option[] common = [files, recursive, clusterDomain, hostFormat, workload, identity, revision, apiServer, defaultNamespace, output];
        foreach (var option in revert ? common : [.. common, mode])
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            var problems = new List<string>();
            var options = new TransformOptions
            {
                ClusterDomain = parse.GetValue(clusterDomain)!,
                ModeOverride = revert ? MeshMode.None : ParseMode(parse.GetValue(mode)),
                HostFormatOverride = parse.GetValue(hostFormat) switch { "short" => HostFormat.Short, "fqdn" => HostFormat.Fqdn, _ => null },
                DefaultNamespace = parse.GetValue(defaultNamespace)!,
                IngressWorkload = ParseWorkload(parse.GetValue(workload), problems),
                DefaultNicIdentity = ParseIdentity(parse.GetValue(identity), problems),
                IstioRevision = parse.GetValue(revision),
                ApiServerAddresses = ParseAddresses(parse.GetValue(apiServer) ?? [], problems),
            };
            if (problems.Count > 0)
            {
                problems.ForEach(p => console.Error.WriteLine($"error: {p}"));
                return ExitCodes.Usage;
            }

            return Execute(console, parse.GetValue(files) ?? [], parse.GetValue(recursive), options, parse.GetValue(output) == "json");
        });
        return command;
    }

    private static int Execute(CliConsole console, string[] paths, bool recursive, TransformOptions options, bool json)
    {
        List<ManifestDocument> documents;
        try
        {
            documents = ManifestInputs.Read(paths, recursive, console.In);
        }
        catch (Exception e) when (e is ManifestFormatException or IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"error: {e.Message}");
            console.Error.WriteLine("nothing was written.");
            return ExitCodes.DocumentErrors;
        }

        var result = InjectPipeline.Run(documents, options);
        console.Out.Write(json ? AsJson(result.Documents) : AsYaml(result.Documents));
        foreach (var diagnostic in result.Diagnostics)
        {
            console.Error.WriteLine(diagnostic);
        }

        foreach (var created in result.CreatedPolicies)
        {
            var egress = created.Policy.Spec!.EgressMtls!;
            console.Error.WriteLine(
                $"note: Policy {created.Policy.Metadata.Name} needs Secrets {egress.TlsSecret} and {egress.TrustedCertSecret} in namespace " +
                $"{created.FirstReferencedBy.Namespace}; the MeshBridge controller ('meshbridge run') issues and rotates them.");
        }

        return result.HasErrors ? ExitCodes.DocumentErrors : ExitCodes.Success;
    }

    private static string AsYaml(IReadOnlyList<OutputDocument> documents)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            var body = document.VerbatimText is { } verbatim ? StripMarkers(verbatim) : ManifestWriter.ToYaml(document.Node);
            text.Append("---\n").Append(body);
            if (!body.EndsWith('\n'))
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>A verbatim document keeps its comments but not its own <c>---</c>/<c>...</c> markers, which are re-added.</summary>
    private static string StripMarkers(string text)
    {
        var lines = new List<string>();
        var inPreamble = true;
        foreach (var line in text.Split('\n'))
        {
            if (inPreamble && (line.TrimEnd() is "---" or "..." || line.StartsWith("--- ", StringComparison.Ordinal)))
            {
                var rest = line.Length > 4 && line.StartsWith("--- ", StringComparison.Ordinal) ? line[4..] : string.Empty;
                if (rest.Length > 0)
                {
                    lines.Add(rest);
                    inPreamble = rest.TrimStart().StartsWith('#');
                }

                continue;
            }

            inPreamble &= line.Trim().Length == 0 || line.TrimStart().StartsWith('#');
            lines.Add(line);
        }

        while (lines.Count > 0 && lines[^1].TrimEnd() is "" or "..." or "---")
        {
            lines.RemoveAt(lines.Count - 1);
        }

        while (lines.Count > 0 && lines[0].Trim().Length == 0)
        {
            lines.RemoveAt(0);
        }

        return string.Join('\n', lines) + "\n";
    }

    /// <summary>One document is written as itself; several as a v1 List, as kubectl get -o json does.</summary>
    private static string AsJson(IReadOnlyList<OutputDocument> documents)
    {
        var nodes = documents.Where(d => d.Node is not null).Select(d => d.Node!.DeepClone()).ToList();
        if (nodes.Count == 1)
        {
            return ManifestWriter.ToJson(nodes[0]);
        }

        var list = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "List",
            ["items"] = new JsonArray([.. nodes]),
        };
        return ManifestWriter.ToJson(list);
    }

    private static MeshMode? ParseMode(string? text) => text is null ? null : MeshModes.TryParse(text, out var m) ? m : null;

    private static WorkloadReference? ParseWorkload(string? text, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (WorkloadReference.TryParse(text, out var reference))
        {
            return reference;
        }

        problems.Add($"--ingress-workload \"{text}\": expected NAMESPACE/KIND/NAME with KIND one of Deployment, DaemonSet, StatefulSet");
        return null;
    }

    private static NicIdentity ParseIdentity(string? text, List<string> problems)
    {
        if (NicIdentity.TryParse(text, out var identity))
        {
            return identity;
        }

        problems.Add($"--nic-service-account \"{text}\": expected NAMESPACE/NAME");
        return NicIdentity.Default;
    }

    private static List<string> ParseAddresses(string[] addresses, List<string> problems)
    {
        foreach (var address in addresses)
        {
            var ip = address.Split('/')[0];
            var prefixOk = !address.Contains('/', StringComparison.Ordinal) || int.TryParse(address.Split('/')[1], out var prefix) && prefix is >= 0 and <= 128;
            if (!System.Net.IPAddress.TryParse(ip, out _) || !prefixOk)
            {
                problems.Add($"--api-server-address \"{address}\": expected an IP address or CIDR such as 10.96.0.1 or 172.18.0.0/16");
            }
        }

        return [.. addresses];
    }
}
