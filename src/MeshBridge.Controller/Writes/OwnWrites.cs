namespace MeshBridge.Controller.Writes;

/// <summary>
/// Recognises the watch events of MeshBridge's own patches, so they re-queue nothing: the object is exactly what
/// the last decision wanted, and any other input that changed since has an event of its own. An event can arrive
/// before the patch's response names the version it produced; while a patch of that object is in flight the event
/// is held, and re-queues only if it turns out to be someone else's version (or the patch failed).
/// </summary>
public sealed class OwnWrites
{
    private readonly object gate = new();
    private readonly Dictionary<(string Plural, string? Namespace, string Name), string> produced = [];
    private readonly Dictionary<(string Plural, string? Namespace, string Name), int> inFlight = [];
    private readonly Dictionary<(string Plural, string? Namespace, string Name), List<(string Version, Action Requeue)>> held = [];

    public void Begin((string Plural, string? Namespace, string Name) key)
    {
        lock (gate)
        {
            inFlight[key] = inFlight.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>The patch finished; <paramref name="version"/> is what it produced, null when it failed.</summary>
    public void End((string Plural, string? Namespace, string Name) key, string? version)
    {
        List<Action> release = [];
        lock (gate)
        {
            if (inFlight[key] == 1)
            {
                inFlight.Remove(key);
            }
            else
            {
                inFlight[key]--;
            }

            if (version is not null)
            {
                produced[key] = version;
            }

            if (held.Remove(key, out var events))
            {
                foreach (var (seen, requeue) in events)
                {
                    if (seen == version)
                    {
                        produced.Remove(key);
                    }
                    else
                    {
                        release.Add(requeue);
                    }
                }
            }
        }

        foreach (var requeue in release)
        {
            requeue();
        }
    }

    /// <summary>
    /// True when this version's event must not re-queue now: it is the version an own patch produced (recognised
    /// once), or a patch of the object is in flight — then <paramref name="requeue"/> runs later unless it was ours.
    /// </summary>
    public bool Suppress((string Plural, string? Namespace, string Name) key, string version, Action requeue)
    {
        lock (gate)
        {
            if (produced.TryGetValue(key, out var own) && own == version)
            {
                produced.Remove(key);
                return true;
            }

            if (inFlight.ContainsKey(key))
            {
                if (!held.TryGetValue(key, out var events))
                {
                    held[key] = events = [];
                }

                events.Add((version, requeue));
                return true;
            }

            return false;
        }
    }
}
