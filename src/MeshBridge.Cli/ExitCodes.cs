namespace MeshBridge.Cli;

public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>At least one document had an error (it was written unchanged), or an input could not be read.</summary>
    public const int DocumentErrors = 1;

    /// <summary><c>meshbridge lab</c>: the controller failed, or did not converge in time.</summary>
    public const int NotConverged = 1;

    /// <summary><c>meshbridge certificate request</c>: the CA refused, or its certificate failed verification (nothing written).</summary>
    public const int CertificateRefused = 1;

    /// <summary>The command line itself was wrong.</summary>
    public const int Usage = 2;

    /// <summary>An input could not be used: a file unreadable, a token that names no service account, a bad kubeconfig.</summary>
    public const int InputError = 3;

    /// <summary>The CA or the API server could not be reached (or did not answer in time); worth retrying.</summary>
    public const int Unreachable = 4;
}
