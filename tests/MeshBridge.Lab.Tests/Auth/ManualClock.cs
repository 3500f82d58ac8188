namespace MeshBridge.Lab.Tests.Auth;

/// <summary>
/// A TimeProvider the test moves by hand. Microsoft.Extensions.TimeProvider.Testing (FakeTimeProvider) does not
/// restore from the package source here, so this is the little of it these tests need.
/// </summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 22, 8, 27, 33, TimeSpan.Zero);

    private DateTimeOffset _now = start;

    public ManualClock()
        : this(Epoch)
    {
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;

    public void Set(DateTimeOffset now) => _now = now;
}
