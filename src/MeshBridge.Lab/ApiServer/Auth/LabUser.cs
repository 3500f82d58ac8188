namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>Who a request authenticated as (k8s.io/apiserver user.Info): the name and groups RBAC subjects match.</summary>
public sealed record LabUser(string Name, IReadOnlyList<string> Groups)
{
    /// <summary>The group kube-apiserver's privileged-groups authorizer allows everything, before RBAC runs.</summary>
    public const string MastersGroup = "system:masters";

    /// <summary>The lab's admin token authenticates as kubeadm's admin: in <c>system:masters</c>.</summary>
    public static LabUser Admin { get; } = new("kubernetes-admin", [MastersGroup, "system:authenticated"]);

    public bool IsMaster => Groups.Contains(MastersGroup, StringComparer.Ordinal);

    /// <summary>A service account's user (apiserver/pkg/authentication/serviceaccount/util.go).</summary>
    public static LabUser ServiceAccount(string ns, string name) =>
        new($"system:serviceaccount:{ns}:{name}", ["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"]);
}
