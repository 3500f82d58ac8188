using System.Globalization;
using System.Text.RegularExpressions;

namespace MeshBridge.Cli.Certificates;

/// <summary>Durations as Go and istioctl write them (<c>24h</c>, <c>1h30m</c>, <c>90s</c>), plus <c>d</c> for days.</summary>
internal static partial class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text) || !Whole().IsMatch(text))
        {
            return false;
        }

        foreach (Match part in Part().Matches(text))
        {
            if (!double.TryParse(part.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            duration += part.Groups["u"].Value switch
            {
                "d" => TimeSpan.FromDays(n),
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromSeconds(n),
            };
        }

        return true;
    }

    [GeneratedRegex(@"^(\d+(\.\d+)?[dhms])+$")]
    private static partial Regex Whole();

    [GeneratedRegex(@"(?<n>\d+(\.\d+)?)(?<u>[dhms])")]
    private static partial Regex Part();
}
