namespace MeshBridge.Controller.Operations;

/// <summary>One gauge series (one set of label values).</summary>
public sealed class GaugeSeries
{
    private readonly AtomicDouble _value = new();

    internal GaugeSeries()
    {
    }

    public double Value => _value.Value;

    public void Set(double value) => _value.Set(value);

    public void Inc(double amount = 1) => _value.Add(amount);

    public void Dec(double amount = 1) => _value.Add(-amount);
}
