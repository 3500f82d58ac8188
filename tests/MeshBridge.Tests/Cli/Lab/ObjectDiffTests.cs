using System.Text.Json.Nodes;
using MeshBridge.Cli.Lab;

namespace MeshBridge.Tests.Cli.Lab;

public sealed class ObjectDiffTests
{
    private static JsonObject Stored(string kind, string ns, string name, string body = "", string metadata = "") =>
        JsonNode.Parse($$$"""
            {"apiVersion":"v1","kind":"{{{kind}}}","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","uid":"u-{{{name}}}","resourceVersion":"101","creationTimestamp":"2026-01-01T00:00:00Z"{{{metadata}}}}{{{body}}}}
            """)!.AsObject();

    private static JsonObject Warning(string name, string reason, string regarding, string controller = "meshbridge.io/controller", string type = "Warning") =>
        JsonNode.Parse($$$"""
            {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"{{{name}}}","namespace":"demo"},"type":"{{{type}}}","reason":"{{{reason}}}",
             "note":"why it happened","reportingController":"{{{controller}}}","regarding":{"apiVersion":"k8s.nginx.org/v1","kind":"VirtualServer","namespace":"demo","name":"{{{regarding}}}"}}
            """)!.AsObject();

    [Fact]
    public void Only_resourceVersion_generation_uid_creationTimestamp_and_managedFields_changing_is_no_change()
    {
        var before = Stored("ConfigMap", "demo", "settings", ""","data":{"a":"1"}""");
        var after = Stored("ConfigMap", "demo", "settings", ""","data":{"a":"1"}""", ""","generation":4,"managedFields":[{"manager":"kubectl"}]""");
        after["metadata"]!["resourceVersion"] = "999";
        after["metadata"]!["uid"] = "another";
        after["metadata"]!["creationTimestamp"] = "2026-02-02T00:00:00Z";

        Assert.Empty(ObjectDiff.Between(LabSnapshot.Of([before]), LabSnapshot.Of([after])));
    }

    [Fact]
    public void A_modified_object_is_a_unified_diff_of_its_yaml_headed_by_namespace_kind_and_name()
    {
        var before = Stored("ConfigMap", "demo", "settings", ""","data":{"a":"1"}""");
        var after = Stored("ConfigMap", "demo", "settings", ""","data":{"a":"1","b":"2"}""");

        var change = Assert.Single(ObjectDiff.Between(LabSnapshot.Of([before]), LabSnapshot.Of([after])));

        Assert.Equal(ObjectChangeKind.Modified, change.Kind);
        Assert.Equal(["--- demo/ConfigMap/settings", "+++ demo/ConfigMap/settings"], change.Diff.Take(2));
        Assert.Equal("+  b: \"2\"", Assert.Single(change.Diff, l => l.StartsWith('+') && !l.StartsWith("+++", StringComparison.Ordinal)));
        Assert.DoesNotContain(change.Diff, l => l.Contains("resourceVersion", StringComparison.Ordinal) || l.Contains("uid", StringComparison.Ordinal));
    }

    [Fact]
    public void Created_and_deleted_objects_are_diffed_against_dev_null()
    {
        var kept = Stored("ConfigMap", "demo", "kept");
        var gone = Stored("ConfigMap", "demo", "gone");
        var added = Stored("ConfigMap", "demo", "added");

        var changes = ObjectDiff.Between(LabSnapshot.Of([kept, gone]), LabSnapshot.Of([kept, added]));

        Assert.Equal([ObjectChangeKind.Created, ObjectChangeKind.Deleted], changes.Select(c => c.Kind));
        Assert.Equal(["--- /dev/null", "+++ demo/ConfigMap/added"], changes[0].Diff.Take(2));
        Assert.StartsWith("@@ -0,0 +1,", changes[0].Diff[2], StringComparison.Ordinal);
        Assert.Equal(["--- demo/ConfigMap/gone", "+++ /dev/null"], changes[1].Diff.Take(2));
        Assert.EndsWith(" +0,0 @@", changes[1].Diff[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_come_in_namespace_kind_name_order_and_cluster_scoped_objects_have_no_namespace()
    {
        string[] names = ["b/Service/a", "a/Service/z", "b/ConfigMap/z", "IngressClass/nginx"];
        var after = names.Select(n => n.Split('/')).Select(p => p.Length == 2 ? Stored(p[0], string.Empty, p[1]) : Stored(p[1], p[0], p[2])).ToList();
        foreach (var o in after.Where(o => o["kind"]!.GetValue<string>() == "IngressClass"))
        {
            o["metadata"]!.AsObject().Remove("namespace");
        }

        var changes = ObjectDiff.Between(LabSnapshot.Of([]), LabSnapshot.Of(after));

        Assert.Equal(["IngressClass/nginx", "a/Service/z", "b/ConfigMap/z", "b/Service/a"], changes.Select(c => c.Key.ToString()));
    }

    [Fact]
    public void A_modified_object_keeps_its_earlier_key_order_so_keys_a_write_moved_show_no_change()
    {
        var before = Stored("ConfigMap", "demo", "settings", ""","data":{"a":"1","b":"2"}""");
        var after = Stored("ConfigMap", "demo", "settings", ""","data":{"c":"3","b":"2","a":"1"}""");

        var change = Assert.Single(ObjectDiff.Between(LabSnapshot.Of([before]), LabSnapshot.Of([after])));

        Assert.Equal(["+  c: \"3\""], change.Diff.Skip(2).Where(l => l[0] is '+' or '-'));
    }

    [Fact]
    public void Events_and_Leases_are_never_diffed()
    {
        var lease = Stored("Lease", "demo", "leader", ""","spec":{"holderIdentity":"a"}""");
        var renewed = Stored("Lease", "demo", "leader", ""","spec":{"holderIdentity":"b"}""");

        var changes = ObjectDiff.Between(LabSnapshot.Of([lease]), LabSnapshot.Of([renewed, Warning("vs.1", "CertificatePending", "vs")]));

        Assert.Empty(changes);
    }

    [Fact]
    public void Secret_values_are_shown_as_size_and_digest_never_as_key_material()
    {
        var secret = Stored("Secret", "demo", "tls", ""","type":"kubernetes.io/tls","data":{"tls.key":"c2VjcmV0","tls.crt":"Y2VydA=="}""");

        var change = Assert.Single(ObjectDiff.Between(LabSnapshot.Of([]), LabSnapshot.Of([secret])));

        Assert.DoesNotContain(change.Diff, l => l.Contains("c2VjcmV0", StringComparison.Ordinal));
        Assert.Contains(change.Diff, l => l.StartsWith("+  tls.key: '(redacted: 6 bytes, sha256 2bb80d537b1d", StringComparison.Ordinal));
    }

    [Fact]
    public void New_Warning_events_from_MeshBridge_are_reported_once_with_reason_object_and_note()
    {
        var first = Warning("vs.1", "CertificatePending", "vs");
        var normal = Warning("vs.2", "Meshed", "vs", type: "Normal");
        var foreign = Warning("vs.3", "Rejected", "vs", controller: "nginx-ingress-controller");
        var later = Warning("other.1", "ModeConflict", "other");

        var initially = ObjectDiff.NewWarnings(LabSnapshot.Of([]), LabSnapshot.Of([first, normal, foreign]));
        var afterwards = ObjectDiff.NewWarnings(LabSnapshot.Of([first, normal, foreign]), LabSnapshot.Of([first, normal, foreign, later]));

        Assert.Equal([new RecordedWarning("CertificatePending", new ObjectKey("demo", "VirtualServer", "vs"), "why it happened")], initially);
        Assert.Equal(["ModeConflict demo/VirtualServer/other"], afterwards.Select(w => $"{w.Reason} {w.Regarding}"));
    }
}
