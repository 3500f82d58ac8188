namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>How kube-apiserver answers a patch it cannot use; the server maps each kind to one Status.</summary>
public enum PatchErrorKind
{
    /// <summary>
    /// 400 BadRequest: the body does not decode as the patch type (a JSON patch that is not an array of
    /// operations, an apply body carrying managedFields). The Status message is the decode error.
    /// </summary>
    BadRequest,

    /// <summary>
    /// 422 Invalid: the patch decodes but cannot be applied (a failed <c>test</c>, a missing path). The API server
    /// answers with a fixed message and empty details, so the specific reason never reaches the client
    /// [apiserver/pkg/endpoints/handlers/patch.go: errors.NewGenericServerResponse(422, …)].
    /// </summary>
    Invalid,

    /// <summary>413 RequestEntityTooLarge: more than 10,000 JSON patch operations [handlers/patch.go maxJSONPatchOperations].</summary>
    RequestEntityTooLarge,
}
