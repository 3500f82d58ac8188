namespace MeshBridge.Grpc;

/// <summary>
/// Describes a method: its shape, names and marshallers. <see cref="FullName"/> is the HTTP/2 <c>:path</c>
/// (<c>/package.Service/Method</c>), which must match the server's proto package exactly.
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class Method<TRequest, TResponse>
{
    /// <summary>Creates a method description.</summary>
    /// <param name="type">The call shape.</param>
    /// <param name="serviceName">The fully qualified service, e.g. <c>istio.v1.auth.IstioCertificateService</c>.</param>
    /// <param name="name">The method, e.g. <c>CreateCertificate</c>.</param>
    /// <param name="requestMarshaller">Serializes requests.</param>
    /// <param name="responseMarshaller">Parses responses.</param>
    public Method(
        MethodType type,
        string serviceName,
        string name,
        Marshaller<TRequest> requestMarshaller,
        Marshaller<TResponse> responseMarshaller)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Type = type;
        ServiceName = serviceName;
        Name = name;
        RequestMarshaller = requestMarshaller;
        ResponseMarshaller = responseMarshaller;
        FullName = $"/{serviceName}/{name}";
    }

    /// <summary>The call shape.</summary>
    public MethodType Type { get; }

    /// <summary>The fully qualified service name.</summary>
    public string ServiceName { get; }

    /// <summary>The method name.</summary>
    public string Name { get; }

    /// <summary>The request path, <c>/package.Service/Method</c>.</summary>
    public string FullName { get; }

    /// <summary>Serializes requests.</summary>
    public Marshaller<TRequest> RequestMarshaller { get; }

    /// <summary>Parses responses.</summary>
    public Marshaller<TResponse> ResponseMarshaller { get; }
}
