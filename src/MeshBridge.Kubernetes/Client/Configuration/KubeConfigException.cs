namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// A kubeconfig, in-cluster service account or exec credential plugin that cannot be used. The message names the file,
/// the entry (context, cluster or user) and the field, like kubectl's "invalid configuration" errors, e.g.
/// <c>kubeconfig /home/u/.kube/config: user "dev": client-certificate /x/y.crt: file not found</c>. It never carries a
/// token, a key or any other credential material.
/// </summary>
public sealed class KubeConfigException : Exception
{
    public KubeConfigException()
    {
    }

    public KubeConfigException(string message)
        : base(message)
    {
    }

    public KubeConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static KubeConfigException Create(string message, Exception? innerException) =>
        innerException is null ? new KubeConfigException(message) : new KubeConfigException(message, innerException);
}
