using System.Threading.Channels;

namespace MeshBridge.Lab.ApiServer;

/// <summary>A live watch: events replayed or synthesised at subscription, then every later matching change.</summary>
public sealed class WatchSubscription : IDisposable
{
    private readonly Action<WatchSubscription> unsubscribe;

    internal WatchSubscription(string resource, string? ns, Func<StoredEvent, bool> filter, Action<WatchSubscription> unsubscribe)
    {
        Resource = resource;
        Namespace = ns;
        Filter = filter;
        this.unsubscribe = unsubscribe;
    }

    public string Resource { get; }

    public string? Namespace { get; }

    public ChannelReader<StoredEvent> Events => Channel.Reader;

    internal Channel<StoredEvent> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<StoredEvent>(new UnboundedChannelOptions { SingleReader = true });

    internal Func<StoredEvent, bool> Filter { get; }

    internal bool Matches(StoredEvent e) =>
        e.Key.Resource == Resource && (Namespace is null || e.Key.Namespace == Namespace) && Filter(e);

    /// <summary>Ends the stream, as a dropped connection would.</summary>
    public void Close() => Channel.Writer.TryComplete();

    public void Dispose()
    {
        unsubscribe(this);
        Close();
    }
}
