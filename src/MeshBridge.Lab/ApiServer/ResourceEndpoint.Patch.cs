namespace MeshBridge.Lab.ApiServer;

public sealed partial class ResourceEndpoint
{
    private Task PatchAsync(ApiRequest request) =>
        throw new ApiError(415, "UnsupportedMediaType", "patching is being added to the lab API server");
}
