using System.Globalization;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>The human form of the reports: facts in sections and tables, then every problem with its remedy.</summary>
internal static class ReportWriter
{
    public static void Write(TextWriter output, VirtualServerReport report)
    {
        output.WriteLine($"VirtualServer {report.Namespace}/{report.Name}");
        Field(output, "mode", report.Mode);
        Field(output, "status", report.Status ?? "(none)");
        Field(output, "ingress class", string.IsNullOrEmpty(report.IngressClass) ? "(none: every NIC instance)" : report.IngressClass);
        if (report.TrustDomain is not null)
        {
            Field(output, "trust domain", report.TrustDomain);
        }

        foreach (var nic in report.NicInstances)
        {
            Field(output, "NIC instance", $"{nic.Workload} (class {nic.IngressClass}, service account {nic.ServiceAccount})");
            Field(output, "  identity", nic.SpiffeId);
            Field(output, "  pods", nic.Pods == 0 ? "none running" : $"{nic.Pods} running, {nic.PodsInMesh} in the mesh");
            Field(output, "  enrollment", nic.EnrollmentSource is null ? nic.Enrollment : $"{nic.Enrollment} ({nic.EnrollmentSource}{(nic.EnrolledByMeshBridge ? ", set by MeshBridge" : string.Empty)})");
        }

        if (report.Upstreams.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Upstreams");
            Table(output, ["NAME", "SERVICE", "PORT", "PROTOCOL", "PEERAUTHENTICATION", "HOST HEADER", "XFCC IDENTITY"], report.Upstreams.Select(u => new[]
            {
                u.Name,
                u.Service is null ? "-" : u.ServiceFound ? u.Service : $"{u.Service} (missing)",
                u.Port?.ToString(CultureInfo.InvariantCulture) ?? "-",
                u.Protocol is null ? "-" : u.AppProtocol is not null ? $"{u.Protocol} (appProtocol)" : $"{u.Protocol} (name {u.PortName ?? "\"\""})",
                u.PeerAuthentication is null ? "-" : $"{u.PeerAuthentication}: {u.PeerAuthenticationSource}",
                u.HostHeader ?? "-",
                u.XfccIdentity ?? u.XfccNote ?? "-",
            }).ToList());
        }

        if (report.Certificate is { } certificate)
        {
            output.WriteLine();
            output.WriteLine($"Certificate (Secret {certificate.Secret})");
            if (!certificate.Found)
            {
                Field(output, "found", "no");
            }
            else
            {
                Field(output, "identity", certificate.Identity ?? "(no URI SAN)");
                Field(output, "not after", Time(certificate.NotAfter) + (certificate.Expired ? " (EXPIRED)" : string.Empty));
                Field(output, "next rotation", Time(certificate.NextRotation));
            }
        }

        output.WriteLine();
        WriteProblems(output, report.Problems);
    }

    public static void Write(TextWriter output, DoctorReport report)
    {
        if (report.VirtualServers.Count == 0)
        {
            output.WriteLine("No VirtualServer carries meshbridge.io/mode.");
            return;
        }

        Table(output, ["NAMESPACE/NAME", "MODE", "NIC INSTANCE", "STATUS", "PROBLEMS"], report.VirtualServers.Select(v => new[]
        {
            $"{v.Namespace}/{v.Name}",
            v.Mode,
            v.NicInstances.Count == 0 ? "-" : string.Join(", ", v.NicInstances.Select(n => n.Workload)),
            Cut(v.Status ?? "-", 40),
            v.Problems.Count == 0 ? "0" : $"{v.Problems.Count}: {string.Join(", ", v.Problems.Select(p => p.Code).Distinct())}",
        }).ToList());
        foreach (var server in report.VirtualServers.Where(v => v.Problems.Count > 0))
        {
            output.WriteLine();
            output.WriteLine($"VirtualServer {server.Namespace}/{server.Name}");
            WriteProblems(output, server.Problems);
        }

        output.WriteLine();
        output.WriteLine($"{report.VirtualServers.Count} VirtualServers, {report.Errors} errors, {report.Warnings} warnings.");
    }

    private static void WriteProblems(TextWriter output, IReadOnlyList<ProblemReport> problems)
    {
        if (problems.Count == 0)
        {
            output.WriteLine("No problems found.");
            return;
        }

        output.WriteLine("Problems");
        foreach (var problem in problems)
        {
            output.WriteLine($"  {problem.Severity.ToUpperInvariant(),-7} {problem.Code}: {problem.Subject}: {problem.Message}");
            output.WriteLine($"          remedy: {problem.Remedy}");
        }
    }

    private static void Field(TextWriter output, string name, string value) => output.WriteLine($"  {name + ":",-16} {value}");

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static void Table(TextWriter output, string[] headers, List<string[]> rows)
    {
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(headers))
        {
            output.WriteLine(("  " + string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])))).TrimEnd());
        }
    }
}
