using System.Diagnostics;

namespace MeshBridge.Lab.Tests.Support;

/// <summary>Reading a <c>meshbridge lab</c> process's output as it runs.</summary>
internal static class LabProcess
{
    /// <summary>Everything printed up to and including the line starting with <paramref name="marker"/> (60 s at most).</summary>
    public static async Task<string> ReadUntilAsync(Process process, string marker)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var printed = new System.Text.StringBuilder();
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            printed.AppendLine(line);
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                return printed.ToString();
            }
        }

        throw new InvalidOperationException($"meshbridge lab exited before printing its ready line: {printed}{await process.StandardError.ReadToEndAsync(timeout.Token)}");
    }
}
