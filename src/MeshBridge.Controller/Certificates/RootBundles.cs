using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshBridge.Controller.Certificates;

/// <summary>Compares PEM root bundles by the certificates they hold, not by their text (order, comments and line endings do not count).</summary>
public static class RootBundles
{
    private static readonly Lock Gate = new();
    private static (string A, string B, bool Same)? last;

    /// <summary>
    /// Whether both bundles hold the same set of certificates. A bundle that holds none (unreadable) equals nothing.
    /// The last answer is remembered: every reconcile of a VirtualServer asks the same question until the root changes.
    /// </summary>
    public static bool Same(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        lock (Gate)
        {
            if (last is { } remembered && string.Equals(remembered.A, a, StringComparison.Ordinal) && string.Equals(remembered.B, b, StringComparison.Ordinal))
            {
                return remembered.Same;
            }
        }

        var left = Fingerprints(a);
        var same = left.Count > 0 && left.SetEquals(Fingerprints(b));
        lock (Gate)
        {
            last = (a, b, same);
        }

        return same;
    }

    private static HashSet<string> Fingerprints(string pem)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            return [];
        }

        var fingerprints = new HashSet<string>(StringComparer.Ordinal);
        foreach (var certificate in collection)
        {
            fingerprints.Add(Convert.ToHexString(SHA256.HashData(certificate.RawData)));
            certificate.Dispose();
        }

        return fingerprints;
    }
}
