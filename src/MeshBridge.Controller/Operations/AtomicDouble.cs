namespace MeshBridge.Controller.Operations;

/// <summary>A double updated without locks: its bits live in a long that Interlocked can swap.</summary>
internal sealed class AtomicDouble
{
    private long _bits;

    public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _bits));

    public void Set(double value) => Interlocked.Exchange(ref _bits, BitConverter.DoubleToInt64Bits(value));

    public void Add(double amount)
    {
        var seen = Interlocked.Read(ref _bits);
        while (true)
        {
            var next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + amount);
            var actual = Interlocked.CompareExchange(ref _bits, next, seen);
            if (actual == seen)
            {
                return;
            }

            seen = actual;
        }
    }
}
