using MeshBridge.Lab.ApiServer.Auth;

namespace MeshBridge.Lab.Tests.Auth;

/// <summary>
/// TokenReview as kube-apiserver 1.33 answers it (tokenreview/storage.go over serviceaccount/jwt.go and claims.go),
/// down to the bytes of the reply, since Istio's CA reads <c>status</c> to decide who is calling.
/// </summary>
public sealed class TokenReviewTests : IDisposable
{
    private const string SaUid = "sa-uid-1";
    private const string Jti = "7d3c4d4e-5a43-4c55-9d0a-5a0f2b9c1e21";

    private readonly ManualTimeProvider _clock = new(AuthTestTime.Epoch);
    private readonly ServiceAccountTokenIssuer _issuer;
    private readonly ServiceAccountReference _nic = new("nginx-ingress", "nic", SaUid);

    public TokenReviewTests() =>
        _issuer = new ServiceAccountTokenIssuer(_clock, new ServiceAccountTokenIssuerOptions { NewTokenId = () => Guid.Parse(Jti) });

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public void A_valid_token_is_authenticated_as_its_service_account_for_the_audiences_both_sides_name()
    {
        var token = Issue(["istio-ca", "other"]);

        var review = _issuer.Review(token, ["unrelated", "istio-ca"], CurrentUid(SaUid));

        Assert.Equal(
            $$$"""{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"token":"{{{token}}}","audiences":["unrelated","istio-ca"]},"status":{"authenticated":true,"user":{"username":"system:serviceaccount:nginx-ingress:nic","uid":"sa-uid-1","groups":["system:serviceaccounts","system:serviceaccounts:nginx-ingress","system:authenticated"],"extra":{"authentication.kubernetes.io/credential-id":["JTI=7d3c4d4e-5a43-4c55-9d0a-5a0f2b9c1e21"]}},"audiences":["istio-ca"]}}""",
            review.ToJson());
    }

    [Fact]
    public void A_token_reviewed_for_an_audience_it_does_not_carry_is_rejected_with_both_lists_quoted()
    {
        var review = _issuer.Review(Issue(["istio-ca"]), ["vault"], CurrentUid(SaUid));

        Assert.Equal(
            """{"user":{},"error":"[invalid bearer token, token audiences [\"istio-ca\"] is invalid for the target audiences [\"vault\"]]"}""",
            StatusJson(review));
    }

    [Fact]
    public void A_review_naming_no_audiences_checks_the_token_against_the_issuers_own_audiences()
    {
        var defaulted = _issuer.Review(Issue([]), [], CurrentUid(SaUid));
        var forIstio = _issuer.Review(Issue(["istio-ca"]), [], CurrentUid(SaUid));

        Assert.True(defaulted.Status.Authenticated);
        Assert.Null(defaulted.Spec.Audiences);
        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], defaulted.Status.Audiences);
        Assert.Equal(
            """[invalid bearer token, token audiences ["istio-ca"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]]""",
            forIstio.Status.Error);
    }

    [Fact]
    public void An_API_server_configured_without_audiences_accepts_any_audience_and_reports_none()
    {
        using var issuer = new ServiceAccountTokenIssuer(_clock, new ServiceAccountTokenIssuerOptions { Audiences = [] });
        var token = issuer.Issue(_nic, new V1TokenRequestSpec { Audiences = ["istio-ca"] }).Token!;

        var review = issuer.Review(token, ["vault"], CurrentUid(SaUid));

        Assert.True(review.Status.Authenticated);
        Assert.DoesNotContain("\"audiences\":[]", review.ToJson(), StringComparison.Ordinal);
        Assert.Null(review.Status.Audiences);
    }

    [Fact]
    public void A_token_is_accepted_for_one_minute_of_leeway_after_it_expires_and_rejected_after_that()
    {
        var token = Issue(["istio-ca"], expirationSeconds: 600);

        _clock.Advance(TimeSpan.FromSeconds(600 + 60));
        var inLeeway = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var expired = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid));

        Assert.True(inLeeway.Status.Authenticated);
        Assert.Equal("""{"user":{},"error":"[invalid bearer token, service account token has expired]"}""", StatusJson(expired));
    }

    [Fact]
    public void A_token_from_more_than_a_minute_in_the_future_is_not_valid_yet()
    {
        var token = Issue(["istio-ca"]);

        _clock.JumpWallClock(TimeSpan.FromSeconds(-60));
        var inLeeway = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid));
        _clock.JumpWallClock(TimeSpan.FromSeconds(-1));
        var early = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid));

        Assert.True(inLeeway.Status.Authenticated);
        Assert.Equal("[invalid bearer token, service account token is not valid yet]", early.Status.Error);
    }

    [Fact]
    public void A_token_with_a_tampered_signature_fails_as_a_cryptographic_error()
    {
        var parts = Issue(["istio-ca"]).Split('.');
        var signature = parts[2].ToCharArray();
        signature[10] = signature[10] == 'A' ? 'B' : 'A';

        var review = _issuer.Review($"{parts[0]}.{parts[1]}.{new string(signature)}", ["istio-ca"], CurrentUid(SaUid));

        Assert.Null(review.Status.Authenticated);
        Assert.Equal("[invalid bearer token, go-jose/go-jose: error in cryptographic primitive]", review.Status.Error);
    }

    [Fact]
    public void A_token_signed_by_another_key_of_the_same_issuer_finds_no_key_for_its_kid()
    {
        using var other = new ServiceAccountTokenIssuer(_clock);
        var token = other.Issue(_nic, new V1TokenRequestSpec { Audiences = ["istio-ca"] }).Token!;

        var review = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid));

        Assert.Equal("[invalid bearer token, invalid signature, no keys found]", review.Status.Error);
    }

    [Fact]
    public void A_token_whose_service_account_was_deleted_is_rejected_as_not_found()
    {
        var review = _issuer.Review(Issue(["istio-ca"]), ["istio-ca"], CurrentUid(null));

        Assert.Equal("""{"user":{},"error":"[invalid bearer token, serviceaccounts \"nic\" not found]"}""", StatusJson(review));
    }

    [Fact]
    public void A_token_whose_service_account_was_recreated_under_a_new_uid_is_rejected()
    {
        var review = _issuer.Review(Issue(["istio-ca"]), ["istio-ca"], CurrentUid("sa-uid-2"));

        Assert.Equal("[invalid bearer token, service account UID (sa-uid-2) does not match claim (sa-uid-1)]", review.Status.Error);
    }

    [Fact]
    public void The_service_account_is_looked_up_by_the_namespace_and_name_in_the_token()
    {
        var asked = new List<(string, string)>();

        _issuer.Review(Issue(["istio-ca"]), ["istio-ca"], key =>
        {
            asked.Add(key);
            return SaUid;
        });

        Assert.Equal([("nginx-ingress", "nic")], asked);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("{\"alg\":\"none\"}")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIn0.c2ln")]
    [InlineData("bm90IGpzb24.eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMuZGVmYXVsdC5zdmMuY2x1c3Rlci5sb2NhbCJ9.c2ln")]
    public void A_malformed_token_or_one_from_another_issuer_is_an_invalid_bearer_token(string token)
    {
        var review = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid));

        Assert.Equal("""{"user":{},"error":"invalid bearer token"}""", StatusJson(review));
    }

    [Fact]
    public void An_empty_token_is_refused_before_review_as_the_endpoint_answers_it_with_400()
    {
        Assert.Throws<ArgumentException>(() => _issuer.Review("", ["istio-ca"], CurrentUid(SaUid)));
    }

    [Fact]
    public void A_pod_bound_token_names_its_pod_in_the_user_extra()
    {
        var token = Issue(["istio-ca"], bound: new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p1", Uid = "pod-uid-1" });

        var review = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid), key => key == ("Pod", "nginx-ingress", "p1") ? "pod-uid-1" : null);

        Assert.Equal(
            """{"authenticated":true,"user":{"username":"system:serviceaccount:nginx-ingress:nic","uid":"sa-uid-1","groups":["system:serviceaccounts","system:serviceaccounts:nginx-ingress","system:authenticated"],"extra":{"authentication.kubernetes.io/credential-id":["JTI=7d3c4d4e-5a43-4c55-9d0a-5a0f2b9c1e21"],"authentication.kubernetes.io/pod-name":["p1"],"authentication.kubernetes.io/pod-uid":["pod-uid-1"]}},"audiences":["istio-ca"]}""",
            StatusJson(review));
    }

    [Fact]
    public void A_pod_bound_token_stops_validating_when_its_pod_is_deleted_or_recreated()
    {
        var token = Issue(["istio-ca"], bound: new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p1", Uid = "pod-uid-1" });

        var deleted = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid), _ => null);
        var recreated = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid), _ => "pod-uid-2");

        Assert.Equal("[invalid bearer token, service account token has been invalidated]", deleted.Status.Error);
        Assert.Equal("[invalid bearer token, pod UID (pod-uid-2) does not match service account pod ref claim (pod-uid-1)]", recreated.Status.Error);
    }

    [Fact]
    public void A_node_bound_token_names_its_node_in_the_user_extra()
    {
        var token = Issue(["istio-ca"], bound: new V1BoundObjectReference { Kind = "Node", ApiVersion = "v1", Name = "n1", Uid = "node-uid-1" });

        var review = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid), key => key == ("Node", "", "n1") ? "node-uid-1" : null);

        Assert.Equal(["n1"], review.Status.User.Extra!["authentication.kubernetes.io/node-name"]);
        Assert.Equal(["node-uid-1"], review.Status.User.Extra["authentication.kubernetes.io/node-uid"]);
    }

    [Fact]
    public void A_review_record_never_prints_the_token()
    {
        var token = Issue(["istio-ca"]);

        var review = _issuer.Review(token, ["istio-ca"], CurrentUid(SaUid));

        Assert.DoesNotContain(token, review.ToString(), StringComparison.Ordinal);
        Assert.Contains("<redacted>", review.ToString(), StringComparison.Ordinal);
    }

    private string Issue(IReadOnlyList<string> audiences, long? expirationSeconds = null, V1BoundObjectReference? bound = null) =>
        _issuer.Issue(_nic, new V1TokenRequestSpec { Audiences = audiences, ExpirationSeconds = expirationSeconds, BoundObjectRef = bound }).Token!;

    private static Func<(string Namespace, string Name), string?> CurrentUid(string? uid) => _ => uid;

    private static string StatusJson(V1TokenReview review)
    {
        var json = review.ToJson();
        var start = json.IndexOf("\"status\":", StringComparison.Ordinal) + "\"status\":".Length;
        return json[start..^1];
    }
}
