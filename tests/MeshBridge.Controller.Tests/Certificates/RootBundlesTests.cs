using MeshBridge.Controller.Certificates;

namespace MeshBridge.Controller.Tests.Certificates;

public sealed class RootBundlesTests
{
    private static string Root(string name)
    {
        using var root = TestRoots.Root(name);
        return root.ExportCertificatePem();
    }

    [Fact]
    public void Bundles_are_compared_by_their_certificates_not_their_text()
    {
        var a = Root("a");
        var b = Root("b");

        Assert.True(RootBundles.Same(a + "\n" + b, b + "\r\n\r\n" + a.Replace("\n", "\r\n", StringComparison.Ordinal) + "\n"));
        Assert.True(RootBundles.Same("# the mesh root\n" + a, a));
        Assert.False(RootBundles.Same(a, a + "\n" + b));
        Assert.False(RootBundles.Same(a, b));
        Assert.False(RootBundles.Same("not a certificate", "not a certificate"));
    }
}
