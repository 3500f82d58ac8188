namespace MeshBridge.Lab.IstioCa;

/// <summary>
/// Failures a test switches on while the CA runs, to see how MeshBridge copes with an istiod that is down, slow,
/// rotated to a root the client does not trust, confused about identities, or issuing short certificates. Safe to
/// change from any thread: each call reads one consistent snapshot.
/// </summary>
public sealed class IstioCaFaults
{
    private readonly Lock _gate = new();
    private IstioCaFaultSettings _settings = new();

    /// <summary>Answers every call with UNAVAILABLE (istiod restarting) while set.</summary>
    public void SetUnavailable(bool enabled) => Update(s => s with { Unavailable = enabled });

    /// <summary>Waits this long before answering (null: no wait); the wait ends early when the caller gives up.</summary>
    public void SetSlow(TimeSpan? delay) => Update(s => s with { Delay = delay });

    /// <summary>Signs leaves with a second root the client was never given (a root rotation it missed).</summary>
    public void SetWrongRoot(bool enabled) => Update(s => s with { WrongRoot = enabled });

    /// <summary>Issues for this SPIFFE ID instead of the caller's (null: the caller's).</summary>
    public void SetWrongIdentity(string? spiffeId) => Update(s => s with { WrongIdentity = spiffeId });

    /// <summary>Caps every leaf's validity at this (null: no cap beyond the mode's own).</summary>
    public void SetShortLifetime(TimeSpan? lifetime) => Update(s => s with { ShortLifetime = lifetime });

    /// <summary>Turns every fault off.</summary>
    public void Clear() => Update(_ => new IstioCaFaultSettings());

    internal IstioCaFaultSettings Current
    {
        get
        {
            lock (_gate)
            {
                return _settings;
            }
        }
    }

    private void Update(Func<IstioCaFaultSettings, IstioCaFaultSettings> change)
    {
        lock (_gate)
        {
            _settings = change(_settings);
        }
    }
}
