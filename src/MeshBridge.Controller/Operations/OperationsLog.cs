using Microsoft.Extensions.Logging;

namespace MeshBridge.Controller.Operations;

internal static partial class OperationsLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Serving {Endpoints} on {Address}")]
    public static partial void Serving(ILogger logger, string endpoints, Uri address);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Not serving {Endpoints}: its bind address is \"0\"")]
    public static partial void Disabled(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The readiness check threw {ExceptionType}; reporting not ready")]
    public static partial void ReadinessCheckThrew(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Operations server stopped")]
    public static partial void Stopped(ILogger logger);
}
