namespace MeshBridge.Controller.Operations;

/// <summary>One counter series (one set of label values).</summary>
public sealed class CounterSeries
{
    private readonly AtomicDouble _value = new();

    internal CounterSeries()
    {
    }

    public double Value => _value.Value;

    /// <summary>Adds <paramref name="amount"/>; a counter never goes down, so a negative amount is refused.</summary>
    public void Inc(double amount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        _value.Add(amount);
    }
}
