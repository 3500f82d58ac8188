using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer;

/// <summary>
/// An error answered as a <c>kind: Status</c> body with the API server's code, reason and wording
/// (reference/kube-api.md §4), so kubectl prints exactly what it prints against a real cluster.
/// </summary>
public sealed class ApiError : Exception
{
    public ApiError()
        : this(500, "InternalError", "Internal error occurred")
    {
    }

    public ApiError(string message)
        : this(500, "InternalError", message)
    {
    }

    public ApiError(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        Reason = "InternalError";
    }

    public ApiError(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public static ApiError NotFound(ApiResource resource, string name) => new(404, "NotFound",
        $"{resource.QualifiedName} \"{name}\" not found", Detail(resource, name, resource.Plural));

    public static ApiError NoSuchPath() => new(404, "NotFound", "the server could not find the requested resource");

    public static ApiError AlreadyExists(ApiResource resource, string name) => new(409, "AlreadyExists",
        $"{resource.QualifiedName} \"{name}\" already exists", Detail(resource, name, resource.Plural));

    public static ApiError Conflict(ApiResource resource, string name) => new(409, "Conflict",
        $"Operation cannot be fulfilled on {resource.QualifiedName} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
        Detail(resource, name, resource.Plural));

    public static ApiError Expired(string message) => new(410, "Expired", message);

    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>422 with one cause per field error: <c>Kind.group "name" is invalid: [e1, e2]</c>.</summary>
    public static ApiError Invalid(ApiResource resource, string name, IReadOnlyList<(string Field, string Reason, string Message)> causes)
    {
        var texts = causes.Select(c => $"{c.Field}: {c.Message}").ToList();
        var joined = texts.Count == 1 ? texts[0] : $"[{string.Join(", ", texts)}]";
        var kind = resource.Group.Length == 0 ? resource.Kind : $"{resource.Kind}.{resource.Group}";
        var details = Detail(resource, name, resource.Kind);
        details["causes"] = new JsonArray([.. causes.Select(c => (JsonNode)new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field })]);
        return new ApiError(422, "Invalid", $"{kind} \"{name}\" is invalid: {joined}", details);
    }

    /// <summary>An error from a Status built elsewhere (patching, tokens), keeping its code, reason, message and details.</summary>
    public static ApiError FromStatus(MeshBridge.Kubernetes.Models.V1Status status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var details = status.Details is null
            ? null
            : System.Text.Json.JsonSerializer.SerializeToNode(status.Details, MeshBridge.Kubernetes.Models.KubernetesJsonContext.Default.V1StatusDetails) as JsonObject;
        return new ApiError(status.Code ?? 500, status.Reason ?? "InternalError", status.Message ?? string.Empty, details);
    }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Details is not null)
        {
            status["details"] = Details.DeepClone();
        }

        status["code"] = Code;
        return status;
    }

    private static JsonObject Detail(ApiResource resource, string name, string kind)
    {
        var details = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = kind;
        return details;
    }
}
