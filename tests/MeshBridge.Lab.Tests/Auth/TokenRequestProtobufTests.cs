using MeshBridge.Lab.ApiServer.Auth;

namespace MeshBridge.Lab.Tests.Auth;

/// <summary>
/// The hand-written protobuf reader on bodies built field by field: what kubectl sends, what a newer client might add,
/// and what a broken one might cut short.
/// </summary>
public sealed class TokenRequestProtobufTests
{
    /// <summary>
    /// Captured from <c>kubectl.1.33 create token nic --audience istio-ca --audience other --duration 10m
    /// --bound-object-kind Pod --bound-object-name p1 --bound-object-uid 123</c> (v1.33.1): gogo writes every empty
    /// ObjectMeta string and an empty status, which the reader must step over.
    /// </summary>
    private const string KubectlBody =
        "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565737412420a100a0012001a00" +
        "22002a0032003800420012280a08697374696f2d63610a056f746865721a120a03506f64120276311a027031220331323320d8041a040a00" +
        "12001a002200";

    [Fact]
    public void The_exact_bytes_kubectl_1_33_sent_decode_to_its_flags()
    {
        var request = TokenRequestProtobuf.Decode(Convert.FromHexString(KubectlBody));

        Assert.Equal(["istio-ca", "other"], request.Spec.Audiences);
        Assert.Equal(600, request.Spec.ExpirationSeconds);
        Assert.Equal(new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p1", Uid = "123" }, request.Spec.BoundObjectRef);
        Assert.Equal((null, null), (request.Name, request.Namespace));
    }

    [Fact]
    public void A_body_shaped_like_kubectls_decodes_to_its_audiences_duration_and_bound_pod()
    {
        var body = ProtobufTestWriter.Envelope(new ProtobufTestWriter()
            .Message(1, new ProtobufTestWriter())
            .Message(2, new ProtobufTestWriter()
                .String(1, "istio-ca")
                .String(1, "other")
                .Message(3, new ProtobufTestWriter().String(1, "Pod").String(2, "v1").String(3, "p1").String(4, "123"))
                .Varint(4, 600))
            .Message(3, new ProtobufTestWriter().String(1, "").Message(2, new ProtobufTestWriter())));

        var request = TokenRequestProtobuf.Decode(body);

        Assert.Equal(["istio-ca", "other"], request.Spec.Audiences);
        Assert.Equal(600, request.Spec.ExpirationSeconds);
        Assert.Equal(new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p1", Uid = "123" }, request.Spec.BoundObjectRef);
        Assert.Null(request.Name);
    }

    [Fact]
    public void Unknown_fields_of_every_wire_type_are_skipped_at_every_level()
    {
        var unknowns = new ProtobufTestWriter()
            .Varint(90, ulong.MaxValue)
            .Fixed64(91, 0x0102030405060708)
            .String(92, "later")
            .Group(93, new ProtobufTestWriter().Varint(1, 5).Group(2, new ProtobufTestWriter().Fixed32(1, 7)))
            .Fixed32(94, 0xFFFFFFFF);
        var body = ProtobufTestWriter.Envelope(new ProtobufTestWriter()
            .Raw(unknowns.ToArray())
            .Message(1, new ProtobufTestWriter().String(1, "nic").String(2, "gen-").Raw(unknowns.ToArray()).String(3, "default"))
            .Message(2, new ProtobufTestWriter()
                .Raw(unknowns.ToArray())
                .String(1, "istio-ca")
                .Message(3, new ProtobufTestWriter().Raw(unknowns.ToArray()).String(1, "Secret").String(3, "s1"))
                .Varint(4, 3600)
                .Raw(unknowns.ToArray())));
        var withEnvelopeExtras = new List<byte>(body);
        withEnvelopeExtras.AddRange(unknowns.ToArray());

        var request = TokenRequestProtobuf.Decode(withEnvelopeExtras.ToArray());

        Assert.Equal(("nic", "default"), (request.Name, request.Namespace));
        Assert.Equal(["istio-ca"], request.Spec.Audiences);
        Assert.Equal(3600, request.Spec.ExpirationSeconds);
        Assert.Equal(new V1BoundObjectReference { Kind = "Secret", Name = "s1" }, request.Spec.BoundObjectRef);
    }

    [Fact]
    public void A_spec_without_field_4_has_no_expiration_and_one_without_field_3_no_binding()
    {
        var request = TokenRequestProtobuf.Decode(ProtobufTestWriter.Envelope(new ProtobufTestWriter().Message(2, new ProtobufTestWriter().String(1, "a"))));

        Assert.Null(request.Spec.ExpirationSeconds);
        Assert.Null(request.Spec.BoundObjectRef);
    }

    [Fact]
    public void A_negative_int64_arrives_as_a_ten_byte_varint_and_decodes_negative()
    {
        var request = TokenRequestProtobuf.Decode(ProtobufTestWriter.Envelope(new ProtobufTestWriter().Message(2, new ProtobufTestWriter().Varint(4, unchecked((ulong)-1L)))));

        Assert.Equal(-1, request.Spec.ExpirationSeconds);
    }

    [Fact]
    public void A_body_without_the_k8s_magic_is_refused()
    {
        var body = ProtobufTestWriter.Envelope(new ProtobufTestWriter());

        Assert.Throws<InvalidDataException>(() => TokenRequestProtobuf.Decode(body.AsSpan(1)));
    }

    [Fact]
    public void An_envelope_holding_another_kind_is_refused()
    {
        var body = ProtobufTestWriter.Envelope(new ProtobufTestWriter(), apiVersion: "v1", kind: "ServiceAccount");

        var error = Assert.Throws<InvalidDataException>(() => TokenRequestProtobuf.Decode(body));
        Assert.Contains("\"v1\" \"ServiceAccount\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compressed_envelope_is_refused_rather_than_misread()
    {
        var unknown = new ProtobufTestWriter()
            .Message(1, new ProtobufTestWriter().String(1, "authentication.k8s.io/v1").String(2, "TokenRequest"))
            .Bytes(2, [1, 2, 3])
            .String(3, "gzip");

        Assert.Throws<InvalidDataException>(() => TokenRequestProtobuf.Decode([.. "k8s\0"u8.ToArray(), .. unknown.ToArray()]));
    }

    [Fact]
    public void A_body_cut_short_anywhere_inside_a_field_is_refused()
    {
        var body = ProtobufTestWriter.Envelope(new ProtobufTestWriter().Message(2, new ProtobufTestWriter().String(1, "istio-ca").Varint(4, 600)));
        var rawStart = body.Length - 2 - 2 - new ProtobufTestWriter().Message(2, new ProtobufTestWriter().String(1, "istio-ca").Varint(4, 600)).ToArray().Length;

        // Every cut inside the raw TokenRequest leaves a length prefix pointing past the end.
        for (var length = rawStart; length < body.Length - 4; length++)
        {
            Assert.Throws<InvalidDataException>(() => TokenRequestProtobuf.Decode(body.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    [InlineData(new byte[] { 0x1B, 0x08, 0x01 })]
    [InlineData(new byte[] { 0x1B, 0x24 })]
    [InlineData(new byte[] { 0x0E })]
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0x09, 0x01, 0x02 })]
    [InlineData(new byte[] { 0x0A, 0x05, 0x61 })]
    public void Malformed_wire_data_in_the_spec_is_refused(byte[] spec)
    {
        var body = ProtobufTestWriter.Envelope(new ProtobufTestWriter().Bytes(2, spec));

        Assert.Throws<InvalidDataException>(() => TokenRequestProtobuf.Decode(body));
    }
}
