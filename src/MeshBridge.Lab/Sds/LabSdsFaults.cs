namespace MeshBridge.Lab.Sds;

/// <summary>
/// Failures a test switches on while the SDS server runs. Safe to change from any thread: each response reads one
/// consistent snapshot.
/// </summary>
public sealed class LabSdsFaults
{
    private readonly Lock _gate = new();
    private (bool Unavailable, bool Malformed) _settings;

    /// <summary>Answers every new stream with UNAVAILABLE (istio-agent starting or restarting) while set.</summary>
    public void SetUnavailable(bool enabled)
    {
        lock (_gate)
        {
            _settings.Unavailable = enabled;
        }
    }

    /// <summary>While set, the certificate resource of every response is bytes that are not a Secret (a client must NACK).</summary>
    public void SetMalformedCertificate(bool enabled)
    {
        lock (_gate)
        {
            _settings.Malformed = enabled;
        }
    }

    /// <summary>Turns every fault off.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _settings = default;
        }
    }

    internal bool Unavailable
    {
        get
        {
            lock (_gate)
            {
                return _settings.Unavailable;
            }
        }
    }

    internal bool Malformed
    {
        get
        {
            lock (_gate)
            {
                return _settings.Malformed;
            }
        }
    }
}
