namespace MeshBridge.Transform;

public static class MeshModes
{
    public static readonly IReadOnlyList<string> Names = ["sidecar", "ambient", "egress-mtls", "none"];

    public static bool TryParse(string? value, out MeshMode mode)
    {
        switch (value)
        {
            case "sidecar": mode = MeshMode.Sidecar; return true;
            case "ambient": mode = MeshMode.Ambient; return true;
            case "egress-mtls": mode = MeshMode.EgressMtls; return true;
            case null or "" or "none": mode = MeshMode.None; return true;
            default: mode = MeshMode.None; return false;
        }
    }

    public static string ToName(this MeshMode mode) => mode switch
    {
        MeshMode.Sidecar => "sidecar",
        MeshMode.Ambient => "ambient",
        MeshMode.EgressMtls => "egress-mtls",
        _ => "none",
    };

    /// <summary>Sidecar and ambient both send NGINX's traffic through the mesh dataplane to the Service.</summary>
    public static bool UsesClusterIP(this MeshMode mode) => mode is MeshMode.Sidecar or MeshMode.Ambient;
}
