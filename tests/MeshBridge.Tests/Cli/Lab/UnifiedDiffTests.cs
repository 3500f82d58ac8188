using MeshBridge.Cli.Lab;

namespace MeshBridge.Tests.Cli.Lab;

public sealed class UnifiedDiffTests
{
    private static readonly string[] Twenty = [.. Enumerable.Range(1, 20).Select(i => $"line {i}")];

    [Fact]
    public void Identical_texts_have_no_diff()
    {
        Assert.Empty(UnifiedDiff.Format(["a", "b"], ["a", "b"], "old", "new"));
        Assert.Empty(UnifiedDiff.Format([], [], "old", "new"));
    }

    [Fact]
    public void A_created_text_is_one_hunk_of_insertions_from_line_zero()
    {
        var diff = UnifiedDiff.Format([], ["a", "b", "c"], "/dev/null", "ns/Kind/name");

        Assert.Equal(["--- /dev/null", "+++ ns/Kind/name", "@@ -0,0 +1,3 @@", "+a", "+b", "+c"], diff);
    }

    [Fact]
    public void A_deleted_text_is_one_hunk_of_deletions_to_line_zero()
    {
        var diff = UnifiedDiff.Format(["a", "b"], [], "ns/Kind/name", "/dev/null");

        Assert.Equal(["--- ns/Kind/name", "+++ /dev/null", "@@ -1,2 +0,0 @@", "-a", "-b"], diff);
    }

    [Fact]
    public void An_insertion_shows_the_surrounding_context()
    {
        var diff = UnifiedDiff.Format(["a", "b", "c", "d"], ["a", "b", "X", "c", "d"], "old", "new", context: 1);

        Assert.Equal(["--- old", "+++ new", "@@ -2,2 +2,3 @@", " b", "+X", " c"], diff);
    }

    [Fact]
    public void A_deletion_shows_the_surrounding_context()
    {
        var diff = UnifiedDiff.Format(["a", "b", "c", "d"], ["a", "c", "d"], "old", "new", context: 1);

        Assert.Equal(["--- old", "+++ new", "@@ -1,3 +1,2 @@", " a", "-b", " c"], diff);
    }

    [Fact]
    public void A_replaced_run_lists_its_deletions_before_its_insertions()
    {
        var diff = UnifiedDiff.Format(["a", "b", "c", "d"], ["a", "B", "C", "d"], "old", "new", context: 1);

        Assert.Equal(["--- old", "+++ new", "@@ -1,4 +1,4 @@", " a", "-b", "-c", "+B", "+C", " d"], diff);
    }

    [Fact]
    public void A_side_of_one_line_is_written_without_its_count()
    {
        var diff = UnifiedDiff.Format(["a", "b", "c"], ["a", "B", "c"], "old", "new", context: 0);

        Assert.Equal(["--- old", "+++ new", "@@ -2 +2 @@", "-b", "+B"], diff);
    }

    [Fact]
    public void Changes_far_apart_get_separate_hunks_with_their_own_line_numbers()
    {
        var changed = Twenty.Select(l => l is "line 2" or "line 18" ? l + " changed" : l).ToArray();

        var diff = UnifiedDiff.Format(Twenty, changed, "old", "new");

        Assert.Equal(
            [
                "--- old", "+++ new",
                "@@ -1,5 +1,5 @@", " line 1", "-line 2", "+line 2 changed", " line 3", " line 4", " line 5",
                "@@ -15,6 +15,6 @@", " line 15", " line 16", " line 17", "-line 18", "+line 18 changed", " line 19", " line 20",
            ],
            diff);
    }

    [Theory]
    [InlineData(6, 1)]
    [InlineData(7, 2)]
    public void Changes_separated_by_at_most_twice_the_context_share_a_hunk(int unchangedBetween, int hunks)
    {
        var second = 5 + unchangedBetween + 1;
        var changed = Twenty.Select(l => l == "line 5" || l == $"line {second}" ? "changed" : l).ToArray();

        var diff = UnifiedDiff.Format(Twenty, changed, "old", "new", context: 3);

        Assert.Equal(hunks, diff.Count(l => l.StartsWith("@@", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void The_edit_script_rebuilds_both_texts_is_as_short_as_the_longest_common_subsequence_allows_and_deletes_before_it_inserts(int seed)
    {
        var random = new Random(seed);
        var old = Enumerable.Range(0, random.Next(0, 40)).Select(_ => "abcde"[random.Next(5)].ToString()).ToArray();
        var @new = Enumerable.Range(0, random.Next(0, 40)).Select(_ => "abcde"[random.Next(5)].ToString()).ToArray();

        var edits = LineDiff.Compute(old, @new);

        Assert.Equal(old, edits.Where(e => e.Kind != LineEditKind.Insert).Select(e => e.Text));
        Assert.Equal(@new, edits.Where(e => e.Kind != LineEditKind.Delete).Select(e => e.Text));
        Assert.Equal(old.Length + @new.Length - (2 * LongestCommonSubsequence(old, @new)), edits.Count(e => e.Kind != LineEditKind.Equal));
        Assert.All(edits.Where(e => e.Kind == LineEditKind.Equal), e => Assert.Equal(old[e.OldIndex], @new[e.NewIndex]));
        Assert.DoesNotContain(edits.Zip(edits.Skip(1)), pair => pair.First.Kind == LineEditKind.Insert && pair.Second.Kind == LineEditKind.Delete);
    }

    private static int LongestCommonSubsequence(string[] a, string[] b)
    {
        var table = new int[a.Length + 1, b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                table[i, j] = a[i - 1] == b[j - 1] ? table[i - 1, j - 1] + 1 : Math.Max(table[i - 1, j], table[i, j - 1]);
            }
        }

        return table[a.Length, b.Length];
    }
}
