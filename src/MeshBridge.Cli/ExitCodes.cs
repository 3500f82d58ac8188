namespace MeshBridge.Cli;

public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>At least one document had an error (it was written unchanged), or an input could not be read.</summary>
    public const int DocumentErrors = 1;

    /// <summary><c>meshbridge lab</c>: the controller failed, or did not converge in time.</summary>
    public const int NotConverged = 1;

    /// <summary>The command line itself was wrong.</summary>
    public const int Usage = 2;
}
