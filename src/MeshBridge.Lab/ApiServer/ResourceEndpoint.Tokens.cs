using System.Text;
using System.Text.Json.Nodes;
using MeshBridge.Lab.ApiServer.Auth;

namespace MeshBridge.Lab.ApiServer;

public sealed partial class ResourceEndpoint
{
    /// <summary>
    /// TokenRequest (<c>serviceaccounts/&lt;name&gt;/token</c>): kubectl sends a protobuf body, other clients JSON; the
    /// reply is JSON with a signed JWT (reference/kube-api.md §9).
    /// </summary>
    private async Task TokenRequestAsync(ApiRequest request)
    {
        var account = store.Get(KeyOf(request)) ?? throw ApiError.NotFound(request.Resource, request.Name!);
        using var buffer = new MemoryStream();
        await request.Context.Request.Body.CopyToAsync(buffer, request.Context.RequestAborted).ConfigureAwait(false);
        var body = buffer.ToArray();
        V1TokenRequest tokenRequest;
        try
        {
            tokenRequest = (request.Context.Request.ContentType ?? string.Empty).Contains("protobuf", StringComparison.Ordinal)
                ? TokenRequestProtobuf.Decode(body)
                : TokenRequestJson.Parse(body);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            throw ApiError.BadRequest($"the TokenRequest body could not be decoded: {e.Message}");
        }

        var reference = new ServiceAccountReference(request.Namespace!, request.Name!, Text(account["metadata"]?["uid"]) ?? string.Empty);
        var issued = tokens.Issue(reference, tokenRequest.Spec ?? new V1TokenRequestSpec());
        if (!issued.Succeeded)
        {
            throw ApiError.FromStatus(issued.Failure!);
        }

        await WriteJsonAsync(request.Context, 201, JsonNode.Parse(TokenRequestJson.BuildReply(tokenRequest, reference, issued))!).ConfigureAwait(false);
    }

    /// <summary>TokenReview: the service account must still exist with the uid the token names.</summary>
    private async Task TokenReviewAsync(ApiRequest request)
    {
        var body = await ReadBodyAsync(request.Context).ConfigureAwait(false);
        var token = Text(body["spec"]?["token"]);
        if (string.IsNullOrEmpty(token))
        {
            throw ApiError.BadRequest("token is required for TokenReview in authentication");
        }

        var audiences = (body["spec"]?["audiences"] as JsonArray)?.Select(a => Text(a) ?? string.Empty).ToList() ?? [];
        var review = Review(token, audiences);
        await WriteJsonAsync(request.Context, 201, JsonNode.Parse(review.ToJson())!).ConfigureAwait(false);
    }

    internal V1TokenReview Review(string token, IReadOnlyList<string> audiences) =>
        tokens.Review(token, audiences, account =>
            Text(store.Get(new StoreKey("v1/serviceaccounts", account.Namespace, account.Name))?["metadata"]?["uid"]));
}
