namespace MeshBridge.Transform;

/// <summary>
/// The one pure function every front door calls (controller, <c>meshbridge inject</c>, diagnostics): objects plus
/// mesh facts in, new objects plus diagnostics out. No I/O, no clock, no logging.
/// <para>
/// Each object is first reverted to the user's own form (undoing exactly what its <c>meshbridge.io/applied</c>
/// record says), then meshed for the mode asked for. So transform(transform(x)) == transform(x), switching modes
/// needs no special case, and <c>mode: none</c> is an exact revert.
/// </para>
/// <para>
/// A VirtualServer and the VirtualServerRoutes it references change together or not at all: one error anywhere in
/// such a group leaves the whole group as it was, never half-transformed.
/// </para>
/// </summary>
public static class MeshTransform
{
    public static TransformResult Apply(TransformInput input, TransformOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        return new TransformRun(input, options).Run();
    }
}
