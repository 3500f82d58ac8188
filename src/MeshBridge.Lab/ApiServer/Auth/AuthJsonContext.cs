using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshBridge.Lab.ApiServer.Auth;

[JsonSerializable(typeof(V1TokenReview))]
internal sealed partial class AuthJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Go's encoding/json writes <c>"</c> as <c>\"</c> and leaves <c>+</c> and <c>'</c> alone; the default .NET encoder
    /// would write <c>\u0022</c> and <c>\u002B</c>, which is the same JSON but not the same bytes.
    /// </summary>
    public static AuthJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
