using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using MeshBridge.Lab.ApiServer.Auth;

namespace MeshBridge.Lab.Tests.Auth;

/// <summary>TokenRequest as token.go answers it: defaults, validation with the API server's words, and the JWT itself.</summary>
public sealed class ServiceAccountTokenIssuerTests : IDisposable
{
    private const string Jti = "7d3c4d4e-5a43-4c55-9d0a-5a0f2b9c1e21";

    private readonly ManualTimeProvider _clock = new(AuthTestTime.Epoch);
    private readonly ServiceAccountTokenIssuer _issuer;
    private readonly ServiceAccountReference _nic = new("nginx-ingress", "nic", "sa-uid-1");

    public ServiceAccountTokenIssuerTests() =>
        _issuer = new ServiceAccountTokenIssuer(_clock, new ServiceAccountTokenIssuerOptions { NewTokenId = () => Guid.Parse(Jti) });

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public void A_duration_under_ten_minutes_is_rejected_with_the_API_servers_exact_text()
    {
        var result = _issuer.Issue(_nic, new V1TokenRequestSpec { Audiences = ["istio-ca"], ExpirationSeconds = 60 });

        Assert.False(result.Succeeded);
        Assert.Null(result.Token);
        Assert.Equal(["spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"], result.Errors);
        var status = result.Failure!;
        Assert.Equal(422, status.Code);
        Assert.Equal("Invalid", status.Reason);
        Assert.Equal("Failure", status.Status);
        Assert.Equal("TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes", status.Message);
        Assert.Equal("authentication.k8s.io", status.Details!.Group);
        Assert.Equal("TokenRequest", status.Details.Kind);
        Assert.Null(status.Details.Name);
        var cause = Assert.Single(status.Details.Causes!);
        Assert.Equal(("FieldValueInvalid", "Invalid value: 60: may not specify a duration less than 10 minutes", "spec.expirationSeconds"), (cause.Reason, cause.Message, cause.Field));
    }

    [Fact]
    public void Exactly_ten_minutes_is_accepted()
    {
        var result = _issuer.Issue(_nic, new V1TokenRequestSpec { Audiences = ["istio-ca"], ExpirationSeconds = 600 });

        Assert.True(result.Succeeded);
        Assert.Empty(result.Errors);
        Assert.Null(result.Failure);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(10), result.ExpirationTimestamp);
    }

    [Fact]
    public void A_duration_over_two_to_the_32_seconds_is_rejected()
    {
        var result = _issuer.Issue(_nic, new V1TokenRequestSpec { ExpirationSeconds = (1L << 32) + 1 });

        Assert.Equal(["spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds"], result.Errors);
    }

    [Fact]
    public void A_request_without_audiences_or_duration_gets_the_issuers_audiences_and_an_hour()
    {
        var result = _issuer.Issue(_nic, new V1TokenRequestSpec());

        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], result.Spec.Audiences);
        Assert.Equal(3600, result.Spec.ExpirationSeconds);
        Assert.Equal(_clock.GetUtcNow(), result.CreationTimestamp);
        Assert.Equal(_clock.GetUtcNow().AddHours(1), result.ExpirationTimestamp);
    }

    [Fact]
    public void The_issuer_and_its_audiences_are_configurable_as_kube_apiserver_flags()
    {
        using var issuer = new ServiceAccountTokenIssuer(_clock, new ServiceAccountTokenIssuerOptions { Issuer = "https://oidc.lab", Audiences = ["lab-api"] });

        var result = issuer.Issue(_nic, new V1TokenRequestSpec());

        Assert.Equal(["lab-api"], result.Spec.Audiences);
        Assert.Contains("\"iss\":\"https://oidc.lab\"", Payload(result.Token!), StringComparison.Ordinal);
        Assert.True(issuer.Review(result.Token!, [], _ => "sa-uid-1").Status.Authenticated);
    }

    [Fact]
    public void The_JWT_has_go_joses_header_and_sorted_claims_as_kube_apiserver_signs_them()
    {
        var result = _issuer.Issue(_nic, new V1TokenRequestSpec
        {
            Audiences = ["istio-ca", "other"],
            ExpirationSeconds = 600,
            BoundObjectRef = new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p1", Uid = "123" },
        });

        var header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(result.Token!.Split('.')[0]));
        Assert.Equal($$"""{"alg":"RS256","kid":"{{_issuer.KeyId}}"}""", header);
        Assert.Equal(
            """{"aud":["istio-ca","other"],"exp":1795336653,"iat":1795336053,"iss":"https://kubernetes.default.svc.cluster.local","jti":"7d3c4d4e-5a43-4c55-9d0a-5a0f2b9c1e21","kubernetes.io":{"namespace":"nginx-ingress","pod":{"name":"p1","uid":"123"},"serviceaccount":{"name":"nic","uid":"sa-uid-1"}},"nbf":1795336053,"sub":"system:serviceaccount:nginx-ingress:nic"}""",
            Payload(result.Token));
    }

    [Theory]
    [InlineData("Secret", "\"secret\":{\"name\":\"s1\",\"uid\":\"u1\"}")]
    [InlineData("Node", "\"node\":{\"name\":\"s1\",\"uid\":\"u1\"}")]
    public void A_token_bound_to_a_secret_or_node_names_that_object(string kind, string claim)
    {
        var result = _issuer.Issue(_nic, new V1TokenRequestSpec { BoundObjectRef = new V1BoundObjectReference { Kind = kind, ApiVersion = "v1", Name = "s1", Uid = "u1" } });

        Assert.Contains(claim, Payload(result.Token!), StringComparison.Ordinal);
        Assert.DoesNotContain("\"pod\"", Payload(result.Token!), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1", "Deployment", "cannot bind token to object of type /v1, Kind=Deployment")]
    [InlineData("apps/v1", "Pod", "cannot bind token to object of type apps/v1, Kind=Pod")]
    public void A_token_cannot_be_bound_to_anything_but_a_core_pod_secret_or_node(string apiVersion, string kind, string message)
    {
        var result = _issuer.Issue(_nic, new V1TokenRequestSpec { BoundObjectRef = new V1BoundObjectReference { Kind = kind, ApiVersion = apiVersion, Name = "x" } });

        Assert.Null(result.Token);
        Assert.Equal((400, "BadRequest", message), (result.Failure!.Code, result.Failure.Reason, result.Failure.Message));
    }

    [Fact]
    public void The_kid_is_the_unpadded_base64url_SHA_256_of_the_public_key_DER()
    {
        using var key = RSA.Create(2048);
        using var issuer = new ServiceAccountTokenIssuer(_clock, new ServiceAccountTokenIssuerOptions { SigningKey = key });

        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo())), issuer.KeyId);
        Assert.Equal(43, issuer.KeyId.Length);
        Assert.Equal(key.ExportSubjectPublicKeyInfoPem(), issuer.ExportPublicKeyPem());
    }

    [Fact]
    public void Each_token_gets_a_fresh_random_jti_by_default()
    {
        using var issuer = new ServiceAccountTokenIssuer(_clock);

        var first = Payload(issuer.Issue(_nic, new V1TokenRequestSpec()).Token!);
        var second = Payload(issuer.Issue(_nic, new V1TokenRequestSpec()).Token!);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void A_result_record_never_prints_the_token()
    {
        var result = _issuer.Issue(_nic, new V1TokenRequestSpec());

        Assert.DoesNotContain(result.Token!, result.ToString(), StringComparison.Ordinal);
    }

    private static string Payload(string token) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[1]));
}
