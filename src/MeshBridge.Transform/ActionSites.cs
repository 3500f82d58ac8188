using MeshBridge.Transform.Model;

namespace MeshBridge.Transform;

/// <summary>
/// The four places an action appears in a route (reference/nic.md §1): <c>action</c>, <c>splits[].action</c>,
/// <c>matches[].action</c> and <c>matches[].splits[].action</c>. Every rule that touches actions goes through here.
/// </summary>
internal static class ActionSites
{
    public static IEnumerable<(RouteAction Action, ActionSite Site)> Enumerate(IReadOnlyList<Route>? routes, string field)
    {
        var found = new List<(RouteAction, ActionSite)>();
        Map(routes, field, (action, site) =>
        {
            found.Add((action, site));
            return action;
        });
        return found;
    }

    public static IReadOnlyList<Route>? Map(
        IReadOnlyList<Route>? routes, string field, Func<RouteAction, ActionSite, RouteAction> map)
    {
        if (routes is null)
        {
            return null;
        }

        var result = new List<Route>(routes.Count);
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var key = route.Path ?? $"#{i}";
            var path = $"{field}[{i}]";
            result.Add(route with
            {
                Action = MapOne(route.Action, new ActionSite($"{key}|action", $"{path}.action"), map),
                Splits = MapSplits(route.Splits, $"{key}|", $"{path}.", map),
                Matches = MapMatches(route.Matches, key, path, map),
            });
        }

        return result;
    }

    private static IReadOnlyList<Match>? MapMatches(
        IReadOnlyList<Match>? matches, string key, string path, Func<RouteAction, ActionSite, RouteAction> map)
    {
        if (matches is null)
        {
            return null;
        }

        var result = new List<Match>(matches.Count);
        for (var j = 0; j < matches.Count; j++)
        {
            var match = matches[j];
            var matchKey = $"{key}|matches[{j}]";
            var matchPath = $"{path}.matches[{j}]";
            result.Add(match with
            {
                Action = MapOne(match.Action, new ActionSite(matchKey, $"{matchPath}.action"), map),
                Splits = MapSplits(match.Splits, matchKey + ".", matchPath + ".", map),
            });
        }

        return result;
    }

    private static IReadOnlyList<Split>? MapSplits(
        IReadOnlyList<Split>? splits, string keyPrefix, string pathPrefix, Func<RouteAction, ActionSite, RouteAction> map)
    {
        if (splits is null)
        {
            return null;
        }

        var result = new List<Split>(splits.Count);
        for (var k = 0; k < splits.Count; k++)
        {
            var site = new ActionSite($"{keyPrefix}splits[{k}]", $"{pathPrefix}splits[{k}].action");
            result.Add(splits[k] with { Action = MapOne(splits[k].Action, site, map) });
        }

        return result;
    }

    private static RouteAction? MapOne(RouteAction? action, ActionSite site, Func<RouteAction, ActionSite, RouteAction> map) =>
        action is null ? null : map(action, site);
}
