namespace MeshBridge.Lab.ApiServer;

/// <summary>Holds the active <see cref="FaultRule"/>s; thread-safe, consulted on every request.</summary>
public sealed class FaultInjector
{
    private readonly object gate = new();
    private readonly List<(FaultRule Rule, int Used)> rules = [];
    private readonly TimeProvider time;

    public FaultInjector(TimeProvider time)
    {
        this.time = time;
    }

    public void Add(FaultRule rule)
    {
        lock (gate)
        {
            rules.Add((rule, 0));
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    /// <summary>The first rule (other than a watch drop) that applies to this request, consuming one use of it.</summary>
    internal FaultRule? Take(ApiRequest request) => Take(request, r => r.DropWatchAfterEvents is null);

    internal bool DropWatchAfter(ApiRequest request, int sent)
    {
        var rule = Take(request, r => r.DropWatchAfterEvents is { } n && sent >= n);
        return rule is not null;
    }

    internal bool DropWatchAtStart(ApiRequest request) => Take(request, r => r.DropWatchAfterEvents == 0) is not null;

    private FaultRule? Take(ApiRequest request, Func<FaultRule, bool> kind)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var (rule, used) = rules[i];
                if (!kind(rule) || !rule.Matches(request, now) || (rule.Times is { } times && used >= times))
                {
                    continue;
                }

                rules[i] = (rule, used + 1);

                return rule;
            }
        }

        return null;
    }
}
