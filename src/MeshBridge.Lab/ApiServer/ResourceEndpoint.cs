using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MeshBridge.Lab.ApiServer;

/// <summary>
/// The verbs on stored resources, with the API server's semantics (reference/kube-api.md §3–§8). This file holds
/// the shared plumbing; reads, writes and deletes are in the partial files beside it.
/// </summary>
public sealed partial class ResourceEndpoint
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ObjectStore store;
    private readonly ResourceCatalog catalog;
    private readonly TimeProvider time;
    private readonly LabApiServerOptions options;
    private readonly Auth.ServiceAccountTokenIssuer tokens;

    public ResourceEndpoint(ObjectStore store, ResourceCatalog catalog, TimeProvider time, LabApiServerOptions options, Auth.ServiceAccountTokenIssuer tokens)
    {
        this.store = store;
        this.catalog = catalog;
        this.time = time;
        this.options = options;
        this.tokens = tokens;
    }

    public Task HandleAsync(ApiRequest request) => request.Verb switch
    {
        "get" => GetAsync(request),
        "list" => ListAsync(request),
        "watch" => WatchAsync(request),
        "create" => CreateAsync(request),
        "update" => UpdateAsync(request),
        "patch" => PatchAsync(request),
        "delete" => DeleteAsync(request),
        "deletecollection" => DeleteCollectionAsync(request),
        _ => throw new ApiError(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource"),
    };

    public static async Task WriteJsonAsync(HttpContext context, int code, JsonNode body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(Compact), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Core/v1 and events.k8s.io/v1 Events are one store, as on a real cluster (reference/kube-api.md §10).</summary>
    private StoreKey KeyOf(ApiRequest request, string? name = null)
    {
        var key = request.Key;
        var resource = IsCoreEvents(request.Resource) ? catalog.Find("events.k8s.io/v1", "events")! : request.Resource;
        return key with { Resource = StoreKey.ResourceId(resource), Name = name ?? key.Name };
    }

    private static bool IsCoreEvents(ApiResource resource) => resource is { Group: "", Plural: "events" };

    private JsonObject ToClientForm(ApiRequest request, JsonObject stored) =>
        IsCoreEvents(request.Resource) ? EventConversion.ToCore(stored) : stored;

    private JsonObject ToStoredForm(ApiRequest request, JsonObject body) =>
        IsCoreEvents(request.Resource) ? EventConversion.ToEventsV1(body) : body;

    private static async Task<JsonObject> ReadBodyAsync(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? "application/json";
        if (contentType.Contains("protobuf", StringComparison.Ordinal))
        {
            throw new ApiError(415, "UnsupportedMediaType", "the lab API server accepts JSON bodies only for this request; use -o json or the JSON content type");
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw ApiError.BadRequest("the body of the request must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    private static long? ParseRevision(string text, string what)
    {
        if (text.Length == 0)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ApiError.BadRequest($"invalid {what}: \"{text}\"");
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
