using System.Net.Http.Headers;

namespace MeshBridge.Grpc;

/// <summary>One request, one response: the request body is complete before sending, the response must hold exactly one message.</summary>
internal static class UnaryCall
{
    public static async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        GrpcChannel channel,
        Method<TRequest, TResponse> method,
        TRequest request,
        CallOptions options)
    {
        using var call = new GrpcCall<TRequest, TResponse>(channel, method, options);
        try
        {
            using var content = new ByteArrayContent(call.Frame(request));
            content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
            using var response = await call.SendAsync(content).ConfigureAwait(false);
            if (GrpcCall<TRequest, TResponse>.CheckResponseHeaders(response, out _) is not null)
            {
                throw NoMessage();
            }

            var body = await response.Content.ReadAsStreamAsync(call.Token).ConfigureAwait(false);
            var message = await MessageFraming.ReadAsync(body, call.MaxReceiveMessageSize, call.Token).ConfigureAwait(false);
            var extra = message is null
                ? null
                : await MessageFraming.ReadAsync(body, call.MaxReceiveMessageSize, call.Token).ConfigureAwait(false);
            var (status, trailers) = GrpcCall<TRequest, TResponse>.ReadTrailers(response);
            if (status.StatusCode != StatusCode.OK)
            {
                throw new RpcException(status, trailers);
            }

            return message is null ? throw NoMessage()
                : extra is not null ? throw new RpcException(new Status(StatusCode.Internal, "A unary call received more than one response message."), trailers)
                : call.Parse(message);
        }
        catch (Exception e) when (e is not RpcException || call.Token.IsCancellationRequested)
        {
            throw call.MapException(e);
        }
    }

    private static RpcException NoMessage() =>
        new(new Status(StatusCode.Internal, "A unary call ended with status OK but no response message."));
}
