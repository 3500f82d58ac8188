using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// JSON equality by value, as RFC 6902 §4.6 defines it for <c>test</c>: numbers are equal when their values are
/// (<c>1</c> equals <c>1.0</c>, as in evanphx/json-patch, which decodes both to float64), objects are equal when
/// they hold the same members regardless of order, arrays element by element.
/// </summary>
internal static class JsonValueEquality
{
    public static bool AreEqual(JsonNode? left, JsonNode? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        var kind = left.GetValueKind();
        if (kind != right.GetValueKind())
        {
            return false;
        }

        return kind switch
        {
            JsonValueKind.Object => ObjectsEqual(left.AsObject(), right.AsObject()),
            JsonValueKind.Array => ArraysEqual(left.AsArray(), right.AsArray()),
            JsonValueKind.Number => NumbersEqual(left.ToJsonString(), right.ToJsonString()),
            JsonValueKind.String => string.Equals(left.GetValue<string>(), right.GetValue<string>(), StringComparison.Ordinal),
            // true, false and null: the kind is the value.
            _ => true,
        };
    }

    private static bool ObjectsEqual(JsonObject left, JsonObject right)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        foreach (var (name, value) in left)
        {
            if (!right.TryGetPropertyValue(name, out var other) || !AreEqual(value, other))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ArraysEqual(JsonArray left, JsonArray right)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (!AreEqual(left[i], right[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool NumbersEqual(string left, string right)
    {
        const NumberStyles Style = NumberStyles.Float;
        if (decimal.TryParse(left, Style, CultureInfo.InvariantCulture, out var l)
            && decimal.TryParse(right, Style, CultureInfo.InvariantCulture, out var r))
        {
            return l == r;
        }

        return double.Parse(left, Style, CultureInfo.InvariantCulture) == double.Parse(right, Style, CultureInfo.InvariantCulture);
    }
}
