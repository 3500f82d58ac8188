using System.Net;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Kubernetes.Client;

/// <summary>
/// A failed API call, carrying the server's <see cref="V1Status"/> (as kubernetes-client's
/// <c>k8s.Autorest.HttpOperationException</c>/<c>KubernetesException</c> do). Never carries request headers.
/// </summary>
public sealed class KubernetesException : Exception
{
    public KubernetesException()
    {
        Status = new V1Status();
    }

    public KubernetesException(string message)
        : base(message)
    {
        Status = new V1Status { Message = message };
    }

    public KubernetesException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = new V1Status { Message = message };
    }

    public KubernetesException(V1Status status, HttpStatusCode statusCode)
        : base(status?.Message ?? $"the API server answered {(int)statusCode}")
    {
        Status = status ?? new V1Status();
        StatusCode = statusCode;
    }

    public V1Status Status { get; }

    public HttpStatusCode StatusCode { get; }

    public string? Reason => Status.Reason;

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    public bool IsConflict => StatusCode == HttpStatusCode.Conflict;

    public bool IsGone => StatusCode == HttpStatusCode.Gone;
}
