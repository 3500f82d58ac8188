namespace MeshBridge.Grpc.Tests.Protocol;

/// <summary>Metadata keys and values as gRPC allows them, and the token that must never reach a log.</summary>
public sealed class MetadataTests
{
    [Fact]
    public void Keys_are_lower_cased_and_entries_keep_their_order()
    {
        var metadata = new Metadata { { "Authorization", "Bearer x" }, { "ClusterID", "Kubernetes" } };

        Assert.Equal(["authorization", "clusterid"], metadata.Select(e => e.Key));
        Assert.Equal("Kubernetes", metadata.GetValue("CLUSTERID"));
    }

    [Fact]
    public void ToString_never_shows_the_authorization_token()
    {
        var metadata = new Metadata { { "authorization", "Bearer secret-token" } };

        Assert.DoesNotContain("secret-token", metadata.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad key")]
    [InlineData("key:colon")]
    [InlineData("")]
    public void A_key_outside_the_gRPC_grammar_is_rejected(string key) =>
        Assert.ThrowsAny<ArgumentException>(() => new Metadata.Entry(key, "v"));

    [Fact]
    public void A_non_ASCII_value_must_go_in_a_bin_entry()
    {
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-message", "ünïcode"));
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-message-bin", "text"));
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-message", [1, 2]));
        Assert.True(new Metadata.Entry("x-message-bin", [1, 2]).IsBinary);
    }
}
