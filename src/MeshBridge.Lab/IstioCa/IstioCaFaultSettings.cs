namespace MeshBridge.Lab.IstioCa;

/// <summary>An immutable snapshot of <see cref="IstioCaFaults"/>, so one call never sees half of a change.</summary>
internal sealed record IstioCaFaultSettings
{
    public bool Unavailable { get; init; }

    public TimeSpan? Delay { get; init; }

    public bool WrongRoot { get; init; }

    public string? WrongIdentity { get; init; }

    public TimeSpan? ShortLifetime { get; init; }
}
