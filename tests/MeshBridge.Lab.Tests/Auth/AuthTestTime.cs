namespace MeshBridge.Lab.Tests.Auth;

/// <summary>The instant the token tests start their manual clocks at (their golden JWT claims depend on it).</summary>
internal static class AuthTestTime
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 22, 8, 27, 33, TimeSpan.Zero);
}
