using Microsoft.Extensions.Logging;

namespace MeshBridge.Controller.Reconcilers;

/// <summary>The controller's decisions as structured logs: what it wrote, where each VirtualServer stands, each problem.</summary>
internal static partial class ReconcileLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Verb} {Kind} {Object}")]
    public static partial void Wrote(ILogger logger, string verb, string kind, string @object);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "VirtualServer {Object}: {Status}")]
    public static partial void StatusChanged(ILogger logger, string @object, string status);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "{Kind} {Object}: {Reason}: {Detail}")]
    public static partial void Problem(ILogger logger, string kind, string @object, string reason, string detail);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Reconciling {Object} failed, will retry: {Error}")]
    public static partial void Retrying(ILogger logger, string @object, string error);
}
