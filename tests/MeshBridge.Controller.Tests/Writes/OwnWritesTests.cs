using MeshBridge.Controller.Writes;

namespace MeshBridge.Controller.Tests.Writes;

public sealed class OwnWritesTests
{
    private static readonly (string, string?, string) Key = ("virtualservers", "shop", "app");

    [Fact]
    public void An_event_arriving_before_the_patch_response_is_held_and_dropped_when_it_was_the_patch()
    {
        var own = new OwnWrites();
        var requeued = 0;
        own.Begin(Key);

        var held = own.Suppress(Key, "42", () => requeued++);
        own.End(Key, "42");

        Assert.True(held);
        Assert.Equal(0, requeued);
        Assert.False(own.Suppress(Key, "42", () => requeued++));
    }

    [Fact]
    public void A_held_event_of_another_version_or_of_a_failed_patch_requeues_when_the_patch_ends()
    {
        var own = new OwnWrites();
        var requeued = new List<string>();
        own.Begin(Key);
        own.Suppress(Key, "41", () => requeued.Add("41"));
        own.End(Key, "42");
        own.Begin(Key);
        own.Suppress(Key, "43", () => requeued.Add("43"));
        own.End(Key, null);

        Assert.Equal(["41", "43"], requeued);
        Assert.True(own.Suppress(Key, "42", () => requeued.Add("late")));
    }

    [Fact]
    public void Without_a_patch_in_flight_only_the_produced_version_is_recognised_and_only_once()
    {
        var own = new OwnWrites();
        own.Begin(Key);
        own.End(Key, "7");

        Assert.False(own.Suppress(Key, "8", () => { }));
        Assert.False(own.Suppress(("virtualservers", "shop", "other"), "7", () => { }));
        Assert.True(own.Suppress(Key, "7", () => { }));
        Assert.False(own.Suppress(Key, "7", () => { }));
    }
}
