namespace MeshBridge.Kubernetes.Tests.LeaderElection;

/// <summary>Counts candidates whose leading work is running at once; the election must keep it at one.</summary>
internal sealed class Leadership
{
    private int _current;
    private int _most;

    public int Most => Volatile.Read(ref _most);

    public void Enter()
    {
        var now = Interlocked.Increment(ref _current);
        int most;
        while (now > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, most) != most)
        {
        }
    }

    public void Exit() => Interlocked.Decrement(ref _current);
}
