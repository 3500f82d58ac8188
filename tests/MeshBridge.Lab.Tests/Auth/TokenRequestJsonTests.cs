using System.Text;
using MeshBridge.Lab.ApiServer.Auth;

namespace MeshBridge.Lab.Tests.Auth;

/// <summary>TokenRequest bodies in JSON, and the 201 reply token.go sends, byte for byte.</summary>
public sealed class TokenRequestJsonTests : IDisposable
{
    private readonly ManualTimeProvider _clock = new(AuthTestTime.Epoch);
    private readonly ServiceAccountTokenIssuer _issuer;
    private readonly ServiceAccountReference _nic = new("default", "nic", "sa-uid-1");

    public TokenRequestJsonTests() => _issuer = new ServiceAccountTokenIssuer(_clock);

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public void A_JSON_body_decodes_like_the_protobuf_one()
    {
        var request = TokenRequestJson.Parse("""
            {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{"creationTimestamp":null},
             "spec":{"audiences":["istio-ca","other"],"expirationSeconds":600,"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p1","uid":"123"}}}
            """u8);

        Assert.Equal(["istio-ca", "other"], request.Spec.Audiences);
        Assert.Equal(600, request.Spec.ExpirationSeconds);
        Assert.Equal(new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p1", Uid = "123" }, request.Spec.BoundObjectRef);
        Assert.Equal((null, null), (request.Name, request.Namespace));
    }

    [Fact]
    public void Nulls_and_missing_fields_read_as_unset()
    {
        var request = TokenRequestJson.Parse("""{"spec":{"audiences":null,"expirationSeconds":null,"boundObjectRef":null}}"""u8);
        var empty = TokenRequestJson.Parse("{}"u8);

        Assert.Equal(new V1TokenRequestSpec(), request.Spec with { Audiences = [] });
        Assert.Empty(request.Spec.Audiences);
        Assert.Empty(empty.Spec.Audiences);
        Assert.Null(empty.Spec.ExpirationSeconds);
    }

    [Theory]
    [InlineData("""{"kind":"TokenReview"}""")]
    [InlineData("""{"apiVersion":"authentication.k8s.io/v1beta1"}""")]
    [InlineData("""{"spec":{"expirationSeconds":"600"}}""")]
    [InlineData("""{"spec":{"audiences":"istio-ca"}}""")]
    [InlineData("""{"spec":[]}""")]
    [InlineData("""[]""")]
    [InlineData("""{"spec":""")]
    public void A_body_that_is_not_a_TokenRequest_is_refused(string body)
    {
        Assert.Throws<InvalidDataException>(() => TokenRequestJson.Parse(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void The_reply_echoes_the_request_with_the_service_accounts_metadata_defaults_and_status()
    {
        var request = new V1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                Audiences = ["istio-ca"],
                BoundObjectRef = new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p1", Uid = "123" },
            },
        };
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        var result = _issuer.Issue(_nic, request.Spec);

        var reply = TokenRequestJson.BuildReply(request, _nic, result);

        Assert.Equal(
            $$$"""{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{"name":"nic","namespace":"default","creationTimestamp":"2026-11-22T08:27:33Z"},"spec":{"audiences":["istio-ca"],"expirationSeconds":3600,"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p1","uid":"123"}},"status":{"token":"{{{result.Token}}}","expirationTimestamp":"2026-11-22T09:27:33Z"}}""",
            reply);
    }

    [Fact]
    public void An_unbound_reply_says_boundObjectRef_null_as_Go_writes_a_nil_pointer_without_omitempty()
    {
        var request = new V1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 600 } };
        var result = _issuer.Issue(_nic, request.Spec);

        var reply = TokenRequestJson.BuildReply(request, _nic, result);

        Assert.Contains(
            "\"spec\":{\"audiences\":[\"https://kubernetes.default.svc.cluster.local\"],\"expirationSeconds\":600,\"boundObjectRef\":null}",
            reply,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_request_has_no_reply_body_only_its_status()
    {
        var request = new V1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 60 } };
        var result = _issuer.Issue(_nic, request.Spec);

        Assert.Throws<InvalidOperationException>(() => TokenRequestJson.BuildReply(request, _nic, result));
    }
}
