using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Models;

namespace MeshBridge.Lab.ApiServer.Patching;

/// <summary>
/// What a server-side apply comes to: either the object to store (its <c>metadata.managedFields</c> already set to
/// <see cref="ManagedFields"/>), or the conflicts that make the API server answer 409.
/// </summary>
public sealed record ApplyOutcome
{
    private ApplyOutcome(JsonObject? obj, IReadOnlyList<ManagedFieldsEntry> managedFields, IReadOnlyList<FieldConflict> conflicts)
    {
        Object = obj;
        ManagedFields = managedFields;
        Conflicts = conflicts;
    }

    public JsonObject? Object { get; }

    public IReadOnlyList<ManagedFieldsEntry> ManagedFields { get; }

    /// <summary>Sorted by owner, then by path, as the API server lists them.</summary>
    public IReadOnlyList<FieldConflict> Conflicts { get; }

    [MemberNotNullWhen(false, nameof(Object))]
    public bool HasConflicts => Conflicts.Count > 0;

    /// <summary>
    /// The Status message [apimachinery/pkg/util/managedfields/internal/conflict.go getConflictMessage]:
    /// <c>Apply failed with 1 conflict: conflict with "mgr": .spec.host</c>, or for several, one block per owner
    /// (owners sorted by identifier): <c>Apply failed with 2 conflicts: conflicts with "mgr":\n- .spec.a\n- .spec.b</c>.
    /// </summary>
    public string ConflictMessage
    {
        get
        {
            if (Conflicts.Count == 1)
            {
                return $"Apply failed with 1 conflict: conflict with {Conflicts[0].Owner.Description}: {Conflicts[0].Field}";
            }

            var lines = Conflicts
                .GroupBy(conflict => conflict.Owner.Identifier, StringComparer.Ordinal)
                .SelectMany(owner => owner.Select(conflict => $"- {conflict.Field}").Prepend($"conflicts with {owner.First().Owner.Description}:"));
            return $"Apply failed with {Conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }
    }

    internal static ApplyOutcome Applied(JsonObject obj, IReadOnlyList<ManagedFieldsEntry> managedFields) => new(obj, managedFields, []);

    internal static ApplyOutcome Conflicted(IEnumerable<FieldConflict> conflicts) => new(
        null,
        [],
        conflicts.OrderBy(c => c.Owner.Identifier, StringComparer.Ordinal).ThenBy(c => c.Path).ToList());

    /// <summary>The 409 body: reason Conflict, the message above, one FieldManagerConflict cause per field.</summary>
    public V1Status ToConflictStatus()
    {
        if (!HasConflicts)
        {
            throw new InvalidOperationException("the apply succeeded; there is no conflict to report");
        }

        return FailureStatus.Create(409, "Conflict", ConflictMessage, new V1StatusDetails { Causes = Conflicts.Select(c => c.ToCause()).ToList() });
    }
}
