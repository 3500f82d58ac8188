namespace MeshBridge.Cli.Lab;

/// <summary>
/// A shortest edit script between two line lists: Myers' O(ND) greedy algorithm ("An O(ND) Difference Algorithm and
/// Its Variations", 1986), walking the furthest-reaching D-paths forward and backtracking through the saved frontiers.
/// Each run of changes comes out with its deletions before its insertions, the order <c>diff -u</c> and git print
/// (a property of this formulation, pinned by the tests rather than re-sorted afterwards).
/// </summary>
internal static class LineDiff
{
    public static IReadOnlyList<LineEdit> Compute(IReadOnlyList<string> oldLines, IReadOnlyList<string> newLines)
    {
        ArgumentNullException.ThrowIfNull(oldLines);
        ArgumentNullException.ThrowIfNull(newLines);
        var edits = Backtrack(oldLines, newLines, Frontiers(oldLines, newLines));
        edits.Reverse();
        return edits;
    }

    /// <summary>The furthest x reached on each diagonal k = x - y, saved before each round d, until (n, m) is reached.</summary>
    private static List<int[]> Frontiers(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        int n = a.Count, m = b.Count, offset = n + m + 1;
        var v = new int[(2 * offset) + 1];
        var trace = new List<int[]>();
        for (var d = 0; d <= n + m; d++)
        {
            trace.Add((int[])v.Clone());
            for (var k = -d; k <= d; k += 2)
            {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                var y = x - k;
                while (x < n && y < m && string.Equals(a[x], b[y], StringComparison.Ordinal))
                {
                    x++;
                    y++;
                }

                v[offset + k] = x;
                if (x >= n && y >= m)
                {
                    return trace;
                }
            }
        }

        throw new InvalidOperationException("unreachable: an edit script of length n + m always exists");
    }

    private static List<LineEdit> Backtrack(IReadOnlyList<string> a, IReadOnlyList<string> b, List<int[]> trace)
    {
        int x = a.Count, y = b.Count, offset = a.Count + b.Count + 1;
        var edits = new List<LineEdit>();
        for (var d = trace.Count - 1; d >= 0; d--)
        {
            var v = trace[d];
            var k = x - y;
            var previousK = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
            var previousX = d == 0 ? 0 : v[offset + previousK];
            var previousY = d == 0 ? 0 : previousX - previousK;
            while (x > previousX && y > previousY)
            {
                x--;
                y--;
                edits.Add(new LineEdit(LineEditKind.Equal, a[x], x, y));
            }

            if (d > 0)
            {
                if (x == previousX)
                {
                    edits.Add(new LineEdit(LineEditKind.Insert, b[y - 1], -1, y - 1));
                }
                else
                {
                    edits.Add(new LineEdit(LineEditKind.Delete, a[x - 1], x - 1, -1));
                }
            }

            x = previousX;
            y = previousY;
        }

        return edits;
    }
}
