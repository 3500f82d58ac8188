using System.Globalization;

namespace MeshBridge.Cli.Lab;

/// <summary>
/// Formats an edit script as <c>diff -u</c> does: <c>---</c>/<c>+++</c> headers, then hunks of changed lines with
/// <paramref name="context"/> unchanged lines around them; changes closer than twice the context share a hunk. A hunk
/// header gives each side's 1-based start line and line count (the count is left out when it is 1, and an empty side
/// starts at the line before it).
/// </summary>
internal static class UnifiedDiff
{
    public const int DefaultContext = 3;

    /// <summary>The diff's lines, none when the texts are equal.</summary>
    public static IReadOnlyList<string> Format(
        IReadOnlyList<string> oldLines, IReadOnlyList<string> newLines, string oldHeader, string newHeader, int context = DefaultContext)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(context);
        var edits = LineDiff.Compute(oldLines, newLines);
        var changed = Enumerable.Range(0, edits.Count).Where(i => edits[i].Kind != LineEditKind.Equal).ToList();
        if (changed.Count == 0)
        {
            return [];
        }

        var lines = new List<string> { $"--- {oldHeader}", $"+++ {newHeader}" };
        var first = 0;
        while (first < changed.Count)
        {
            var last = first;
            while (last + 1 < changed.Count && changed[last + 1] - changed[last] <= (2 * context) + 1)
            {
                last++;
            }

            var start = Math.Max(0, changed[first] - context);
            var end = Math.Min(edits.Count, changed[last] + context + 1);
            AddHunk(lines, edits, start, end);
            first = last + 1;
        }

        return lines;
    }

    private static void AddHunk(List<string> lines, IReadOnlyList<LineEdit> edits, int start, int end)
    {
        var hunk = edits.Skip(start).Take(end - start).ToList();
        var oldCount = hunk.Count(e => e.Kind != LineEditKind.Insert);
        var newCount = hunk.Count(e => e.Kind != LineEditKind.Delete);
        var oldBefore = edits.Take(start).Count(e => e.Kind != LineEditKind.Insert);
        var newBefore = edits.Take(start).Count(e => e.Kind != LineEditKind.Delete);
        lines.Add($"@@ -{Range(oldBefore, oldCount)} +{Range(newBefore, newCount)} @@");
        foreach (var edit in hunk)
        {
            var prefix = edit.Kind switch
            {
                LineEditKind.Delete => '-',
                LineEditKind.Insert => '+',
                _ => ' ',
            };
            lines.Add(prefix + edit.Text);
        }
    }

    private static string Range(int linesBefore, int count) => count switch
    {
        0 => string.Create(CultureInfo.InvariantCulture, $"{linesBefore},0"),
        1 => (linesBefore + 1).ToString(CultureInfo.InvariantCulture),
        _ => string.Create(CultureInfo.InvariantCulture, $"{linesBefore + 1},{count}"),
    };
}
