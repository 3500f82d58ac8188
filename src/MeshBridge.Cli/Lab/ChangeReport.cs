namespace MeshBridge.Cli.Lab;

/// <summary>Prints the diffs of one convergence, then a summary: how many objects changed and MeshBridge's warnings.</summary>
internal static class ChangeReport
{
    public static void Write(TextWriter output, IReadOnlyList<ObjectChange> changes, IReadOnlyList<RecordedWarning> warnings)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(warnings);
        foreach (var change in changes)
        {
            foreach (var line in change.Diff)
            {
                output.WriteLine(line);
            }

            output.WriteLine();
        }

        output.WriteLine(Summary(changes));
        if (warnings.Count > 0)
        {
            output.WriteLine($"{Plural(warnings.Count, "Warning event")} from MeshBridge:");
            foreach (var warning in warnings)
            {
                output.WriteLine($"  {warning.Reason} {warning.Regarding}: {warning.Note}");
            }
        }
    }

    public static string Summary(IReadOnlyList<ObjectChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return "No objects changed.";
        }

        int Count(ObjectChangeKind kind) => changes.Count(c => c.Kind == kind);
        return $"{Plural(changes.Count, "object")} changed ({Count(ObjectChangeKind.Created)} created, {Count(ObjectChangeKind.Modified)} modified, {Count(ObjectChangeKind.Deleted)} deleted).";
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
