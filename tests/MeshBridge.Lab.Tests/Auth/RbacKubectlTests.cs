using System.Net;
using MeshBridge.Lab.ApiServer;
using MeshBridge.Lab.ApiServer.Auth;
using MeshBridge.Lab.Tests.Support;

namespace MeshBridge.Lab.Tests.Auth;

/// <summary>
/// The lab's RBAC (<see cref="LabApiServerOptions.EnforceRbac"/>) judged by the real kubectl 1.33: roles and bindings
/// applied by the admin, then kubectl run as a service account with a TokenRequest-issued token. The Forbidden texts
/// are kube-apiserver's (responsewriters/errors.go forbiddenMessage, apimachinery errors.NewForbidden).
/// </summary>
public sealed class RbacKubectlTests
{
    private const string Forbidden = "Error from server (Forbidden): ";
    private const string Cafe = """
        apiVersion: k8s.nginx.org/v1
        kind: VirtualServer
        metadata: {name: cafe, namespace: nginx-ingress}
        spec: {host: cafe.example.com}
        """;

    private const string VirtualServerReader = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: vs-reader}
        rules:
        - apiGroups: [k8s.nginx.org]
          resources: [virtualservers]
          verbs: [get, list, watch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: vs-reader}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: vs-reader}
        subjects:
        - {kind: ServiceAccount, name: meshbridge, namespace: nginx-ingress}
        """;

    [Fact]
    public async Task Granted_get_list_and_watch_succeed_and_a_verb_not_granted_is_Forbidden_in_kube_apiservers_words()
    {
        await using var rbac = await RbacLab.StartAsync();
        await rbac.ApplyAsync(VirtualServerReader + "\n---\n" + Cafe);
        var meshbridge = rbac.As("nginx-ingress", "meshbridge");

        var got = await meshbridge.RunAsync("get", "vs", "cafe", "-o", "name");
        var listed = await meshbridge.RunAsync("get", "virtualservers", "-A", "-o", "name");
        var deleted = await meshbridge.RunAsync("delete", "vs", "cafe");
        var created = await meshbridge.RunWithInputAsync(Cafe.Replace("cafe", "tea", StringComparison.Ordinal), "create", "-f", "-");

        Assert.Equal("virtualserver.k8s.nginx.org/cafe", got.Succeeded().Stdout.Trim());
        Assert.Equal("virtualserver.k8s.nginx.org/cafe", listed.Succeeded().Stdout.Trim());
        Assert.Equal(1, deleted.ExitCode);
        Assert.Equal(
            Forbidden + """virtualservers.k8s.nginx.org "cafe" is forbidden: User "system:serviceaccount:nginx-ingress:meshbridge" cannot delete resource "virtualservers" in API group "k8s.nginx.org" in the namespace "nginx-ingress" """.TrimEnd(),
            deleted.Stderr.Trim());
        Assert.Equal(1, created.ExitCode);
        Assert.Equal(
            Forbidden + """error when creating "STDIN": virtualservers.k8s.nginx.org is forbidden: User "system:serviceaccount:nginx-ingress:meshbridge" cannot create resource "virtualservers" in API group "k8s.nginx.org" in the namespace "nginx-ingress" """.TrimEnd(),
            created.Stderr.Trim());
        Assert.Equal(
            [
                new RbacDenial(RbacLab.MeshBridge, "delete", "k8s.nginx.org", "virtualservers", "", "nginx-ingress", "cafe", "/apis/k8s.nginx.org/v1/namespaces/nginx-ingress/virtualservers/cafe"),
                new RbacDenial(RbacLab.MeshBridge, "create", "k8s.nginx.org", "virtualservers", "", "nginx-ingress", "", "/apis/k8s.nginx.org/v1/namespaces/nginx-ingress/virtualservers"),
            ],
            rbac.Server.Denials);
    }

    [Fact]
    public async Task A_watch_is_authorized_as_the_watch_verb_and_the_Forbidden_body_is_a_Status_with_details()
    {
        await using var rbac = await RbacLab.StartAsync();
        await rbac.ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: vs-lister}
            rules:
            - {apiGroups: [k8s.nginx.org], resources: [virtualservers], verbs: [list]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: vs-lister}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: vs-lister}
            subjects:
            - {kind: ServiceAccount, name: meshbridge, namespace: nginx-ingress}
            """);
        using var client = rbac.Client(rbac.Server.IssueServiceAccountToken("nginx-ingress", "meshbridge"));

        using var list = await client.GetAsync("/apis/k8s.nginx.org/v1/virtualservers");
        using var watch = await client.GetAsync("/apis/k8s.nginx.org/v1/virtualservers?watch=true&timeoutSeconds=1");
        var body = await watch.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, watch.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"virtualservers.k8s.nginx.org is forbidden: User \"system:serviceaccount:nginx-ingress:meshbridge\" cannot watch resource \"virtualservers\" in API group \"k8s.nginx.org\" at the cluster scope","reason":"Forbidden","details":{"group":"k8s.nginx.org","kind":"virtualservers"},"code":403}""",
            body);

        await rbac.ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: vs-lister}
            rules:
            - {apiGroups: [k8s.nginx.org], resources: [virtualservers], verbs: [list, watch]}
            """);
        using var allowed = await client.GetAsync("/apis/k8s.nginx.org/v1/virtualservers?watch=true&timeoutSeconds=1");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task ResourceNames_allow_get_of_the_named_object_only_and_never_an_unpinned_list()
    {
        await using var rbac = await RbacLab.StartAsync();
        await rbac.ApplyAsync("""
            apiVersion: v1
            kind: Secret
            metadata: {name: allowed, namespace: nginx-ingress}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: hidden, namespace: nginx-ingress}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: one-secret, namespace: nginx-ingress}
            rules:
            - {apiGroups: [""], resources: [secrets], resourceNames: [allowed], verbs: [get, list]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: one-secret, namespace: nginx-ingress}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: one-secret}
            subjects:
            - {kind: ServiceAccount, name: meshbridge, namespace: nginx-ingress}
            """);
        var meshbridge = rbac.As("nginx-ingress", "meshbridge");

        var named = await meshbridge.RunAsync("get", "secret", "allowed", "-o", "name");
        var other = await meshbridge.RunAsync("get", "secret", "hidden", "-o", "name");
        var list = await meshbridge.RunAsync("get", "secrets", "-o", "name");
        // A list pinned to the name by a field selector carries that name (requestinfo.go), as on a real cluster.
        var pinned = await meshbridge.RunAsync("get", "secrets", "--field-selector", "metadata.name=allowed", "-o", "name");

        Assert.Equal("secret/allowed", named.Succeeded().Stdout.Trim());
        Assert.Equal(
            Forbidden + """secrets "hidden" is forbidden: User "system:serviceaccount:nginx-ingress:meshbridge" cannot get resource "secrets" in API group "" in the namespace "nginx-ingress" """.TrimEnd(),
            other.Stderr.Trim());
        Assert.Equal(
            Forbidden + """secrets is forbidden: User "system:serviceaccount:nginx-ingress:meshbridge" cannot list resource "secrets" in API group "" in the namespace "nginx-ingress" """.TrimEnd(),
            list.Stderr.Trim());
        Assert.Equal("secret/allowed", pinned.Succeeded().Stdout.Trim());
    }

    [Fact]
    public async Task Create_token_is_allowed_only_for_the_service_account_the_rule_names()
    {
        await using var rbac = await RbacLab.StartAsync();
        await rbac.ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: token-minter, namespace: nginx-ingress}
            rules:
            - {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [nginx-ingress], verbs: [create]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: token-minter, namespace: nginx-ingress}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: token-minter}
            subjects:
            - {kind: ServiceAccount, name: meshbridge, namespace: nginx-ingress}
            """);
        var meshbridge = rbac.As("nginx-ingress", "meshbridge");

        var minted = await meshbridge.RunAsync("create", "token", "nginx-ingress", "-n", "nginx-ingress");
        var own = await meshbridge.RunAsync("create", "token", "meshbridge", "-n", "nginx-ingress");
        var getAccount = await meshbridge.RunAsync("get", "serviceaccount", "nginx-ingress", "-n", "nginx-ingress");

        var review = rbac.Server.Tokens.Review(minted.Succeeded().Stdout.Trim(), [], _ => rbac.Server.Store.Get(new StoreKey("v1/serviceaccounts", "nginx-ingress", "nginx-ingress"))!["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal("system:serviceaccount:nginx-ingress:nginx-ingress", review.Status.User.Username);
        Assert.Equal(1, own.ExitCode);
        Assert.Equal(
            """error: failed to create token: serviceaccounts "meshbridge" is forbidden: User "system:serviceaccount:nginx-ingress:meshbridge" cannot create resource "serviceaccounts/token" in API group "" in the namespace "nginx-ingress" """.TrimEnd(),
            own.Stderr.Trim());
        // serviceaccounts/token grants nothing on serviceaccounts themselves.
        Assert.Equal(
            Forbidden + """serviceaccounts "nginx-ingress" is forbidden: User "system:serviceaccount:nginx-ingress:meshbridge" cannot get resource "serviceaccounts" in API group "" in the namespace "nginx-ingress" """.TrimEnd(),
            getAccount.Stderr.Trim());
    }

    [Fact]
    public async Task A_RoleBinding_to_a_ClusterRole_grants_in_its_own_namespace_only()
    {
        await using var rbac = await RbacLab.StartAsync();
        await rbac.ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: configmap-reader}
            rules:
            - {apiGroups: [""], resources: [configmaps], verbs: [get, list]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: configmap-reader, namespace: nginx-ingress}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: configmap-reader}
            subjects:
            - {kind: ServiceAccount, name: meshbridge, namespace: nginx-ingress}
            """);
        var meshbridge = rbac.As("nginx-ingress", "meshbridge");

        var home = await meshbridge.RunAsync("get", "configmaps", "-n", "nginx-ingress", "-o", "name");
        var away = await meshbridge.RunAsync("get", "configmaps", "-n", "other");
        var everywhere = await meshbridge.RunAsync("get", "configmaps", "-A");

        home.Succeeded();
        Assert.Equal(
            Forbidden + """configmaps is forbidden: User "system:serviceaccount:nginx-ingress:meshbridge" cannot list resource "configmaps" in API group "" in the namespace "other" """.TrimEnd(),
            away.Stderr.Trim());
        Assert.Equal(
            Forbidden + """configmaps is forbidden: User "system:serviceaccount:nginx-ingress:meshbridge" cannot list resource "configmaps" in API group "" at the cluster scope""",
            everywhere.Stderr.Trim());
    }

    [Fact]
    public async Task A_Group_subject_grants_every_service_account_of_that_namespace_and_no_other()
    {
        await using var rbac = await RbacLab.StartAsync();
        await rbac.ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: lease-reader, namespace: other}
            rules:
            - {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [list]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: lease-reader, namespace: other}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: lease-reader}
            subjects:
            - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:serviceaccounts:nginx-ingress"}
            """);

        var meshbridge = await rbac.As("nginx-ingress", "meshbridge").RunAsync("get", "leases", "-n", "other");
        var nic = await rbac.As("nginx-ingress", "nginx-ingress").RunAsync("get", "leases", "-n", "other");
        var outsider = await rbac.As("other", "outsider").RunAsync("get", "leases", "-n", "other");

        Assert.Equal("No resources found in other namespace.", meshbridge.Succeeded().Stderr.Trim());
        Assert.Equal("No resources found in other namespace.", nic.Succeeded().Stderr.Trim());
        Assert.Equal(
            Forbidden + """leases.coordination.k8s.io is forbidden: User "system:serviceaccount:other:outsider" cannot list resource "leases" in API group "coordination.k8s.io" in the namespace "other" """.TrimEnd(),
            outsider.Stderr.Trim());
    }

    [Fact]
    public async Task Kubectl_auth_can_i_answers_yes_and_no_from_the_same_rules()
    {
        await using var rbac = await RbacLab.StartAsync();
        await rbac.ApplyAsync(VirtualServerReader + """

            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: token-minter, namespace: nginx-ingress}
            rules:
            - {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [nginx-ingress], verbs: [create]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: token-minter, namespace: nginx-ingress}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: token-minter}
            subjects:
            - {kind: ServiceAccount, name: meshbridge}
            """);
        var meshbridge = rbac.As("nginx-ingress", "meshbridge");

        var list = await meshbridge.RunAsync("auth", "can-i", "list", "virtualservers.k8s.nginx.org", "-n", "nginx-ingress");
        var delete = await meshbridge.RunAsync("auth", "can-i", "delete", "virtualservers", "-n", "nginx-ingress");
        var token = await meshbridge.RunAsync("auth", "can-i", "create", "serviceaccounts/nginx-ingress", "--subresource=token", "-n", "nginx-ingress");
        var ownToken = await meshbridge.RunAsync("auth", "can-i", "create", "serviceaccounts/meshbridge", "--subresource=token", "-n", "nginx-ingress");
        var discovery = await meshbridge.RunAsync("auth", "can-i", "get", "/apis");
        var everything = await rbac.Admin.RunAsync("auth", "can-i", "*", "*");
        var rules = await meshbridge.RunAsync("auth", "can-i", "--list", "-n", "nginx-ingress");

        Assert.Equal((0, "yes"), (list.ExitCode, list.Stdout.Trim()));
        Assert.Equal((1, "no"), (delete.ExitCode, delete.Stdout.Trim()));
        Assert.Equal((0, "yes"), (token.ExitCode, token.Stdout.Trim()));
        Assert.Equal((1, "no"), (ownToken.ExitCode, ownToken.Stdout.Trim()));
        Assert.Equal((0, "yes"), (discovery.ExitCode, discovery.Stdout.Trim()));
        Assert.Equal((0, "yes"), (everything.ExitCode, everything.Stdout.Trim()));
        Assert.Contains(rules.Succeeded().Stdout.Split('\n'), line => line.StartsWith("virtualservers.k8s.nginx.org ", StringComparison.Ordinal) && line.Contains("[get list watch]", StringComparison.Ordinal));
        Assert.Contains(rules.Stdout.Split('\n'), line => line.StartsWith("serviceaccounts/token ", StringComparison.Ordinal) && line.Contains("[nginx-ingress]", StringComparison.Ordinal));
        Assert.Empty(rbac.Server.Denials);
    }

    [Fact]
    public async Task Deleting_a_binding_takes_effect_on_the_next_request_and_is_counted()
    {
        await using var rbac = await RbacLab.StartAsync();
        await rbac.ApplyAsync(VirtualServerReader);
        var meshbridge = rbac.As("nginx-ingress", "meshbridge");
        (await meshbridge.RunAsync("get", "vs")).Succeeded();
        Assert.Empty(rbac.Server.Denials);

        (await rbac.Admin.RunAsync("delete", "clusterrolebinding", "vs-reader")).Succeeded();
        var after = await meshbridge.RunAsync("get", "vs");

        Assert.Equal(
            Forbidden + """virtualservers.k8s.nginx.org is forbidden: User "system:serviceaccount:nginx-ingress:meshbridge" cannot list resource "virtualservers" in API group "k8s.nginx.org" in the namespace "nginx-ingress" """.TrimEnd(),
            after.Stderr.Trim());
        var denial = Assert.Single(rbac.Server.Denials);
        Assert.Equal((RbacLab.MeshBridge, "list", "k8s.nginx.org", "virtualservers", "nginx-ingress"), (denial.User, denial.Verb, denial.Group, denial.Resource, denial.Namespace));
    }

    [Fact]
    public async Task A_binding_to_a_missing_role_grants_nothing_and_says_so_as_the_RBAC_authorizer_does()
    {
        await using var rbac = await RbacLab.StartAsync();
        await rbac.ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: dangling, namespace: nginx-ingress}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: not-there}
            subjects:
            - {kind: ServiceAccount, name: meshbridge, namespace: nginx-ingress}
            """);

        var result = await rbac.As("nginx-ingress", "meshbridge").RunAsync("get", "pods");

        Assert.Equal(
            Forbidden + """pods is forbidden: User "system:serviceaccount:nginx-ingress:meshbridge" cannot list resource "pods" in API group "" in the namespace "nginx-ingress": RBAC: clusterrole.rbac.authorization.k8s.io "not-there" not found""",
            result.Stderr.Trim());
    }

    [Fact]
    public async Task The_admin_stays_all_powerful_and_is_never_denied()
    {
        await using var rbac = await RbacLab.StartAsync();

        (await rbac.Admin.RunWithInputAsync(Cafe, "apply", "-f", "-")).Succeeded();
        (await rbac.Admin.RunAsync("get", "secrets", "-A")).Succeeded();
        (await rbac.Admin.RunAsync("delete", "vs", "cafe", "-n", "nginx-ingress")).Succeeded();
        (await rbac.Admin.RunAsync("create", "token", "meshbridge", "-n", "nginx-ingress")).Succeeded();

        Assert.Empty(rbac.Server.Denials);
    }

    [Fact]
    public async Task A_service_account_with_no_roles_still_gets_discovery_and_version_and_nothing_else()
    {
        await using var rbac = await RbacLab.StartAsync();
        var outsider = rbac.As("other", "outsider");

        var resources = await outsider.RunAsync("api-resources", "--api-group=k8s.nginx.org", "-o", "name");
        var version = await outsider.RunAsync("version", "-o", "json");
        var shortName = await outsider.RunAsync("get", "vs");

        Assert.Equal(["policies.k8s.nginx.org", "virtualserverroutes.k8s.nginx.org", "virtualservers.k8s.nginx.org"], resources.Succeeded().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"gitVersion\"", version.Succeeded().Stdout, StringComparison.Ordinal);
        // kubectl resolved "vs" through discovery, then the list was refused.
        Assert.Equal(
            Forbidden + """virtualservers.k8s.nginx.org is forbidden: User "system:serviceaccount:other:outsider" cannot list resource "virtualservers" in API group "k8s.nginx.org" in the namespace "other" """.TrimEnd(),
            shortName.Stderr.Trim());
        Assert.Single(rbac.Server.Denials);
    }

    [Fact]
    public async Task The_service_account_kubeconfig_runs_kubectl_as_that_service_account()
    {
        await using var rbac = await RbacLab.StartAsync();

        var whoami = await rbac.As("nginx-ingress", "meshbridge").RunAsync("auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}");
        var admin = await rbac.Admin.RunAsync("auth", "whoami", "-o", "jsonpath={.status.userInfo.groups}");

        Assert.Equal("""system:serviceaccount:nginx-ingress:meshbridge ["system:serviceaccounts","system:serviceaccounts:nginx-ingress","system:authenticated"]""", whoami.Succeeded().Stdout);
        Assert.Equal("""["system:masters","system:authenticated"]""", admin.Succeeded().Stdout);
        Assert.Empty(rbac.Server.Denials);
    }

    [Fact]
    public async Task A_JSON_SelfSubjectAccessReview_names_the_binding_that_allowed_it_and_a_non_resource_path_is_forbidden_by_path()
    {
        await using var rbac = await RbacLab.StartAsync();
        await rbac.ApplyAsync(VirtualServerReader);
        using var meshbridge = rbac.Client(rbac.Server.IssueServiceAccountToken("nginx-ingress", "meshbridge"));

        using var review = await meshbridge.PostAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", new StringContent(
            """{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"resourceAttributes":{"namespace":"app","verb":"watch","group":"k8s.nginx.org","resource":"virtualservers"}}}""",
            System.Text.Encoding.UTF8, "application/json"));
        using var metrics = await meshbridge.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Created, review.StatusCode);
        var status = System.Text.Json.Nodes.JsonNode.Parse(await review.Content.ReadAsStringAsync())!["status"]!;
        Assert.True(status["allowed"]!.GetValue<bool>());
        Assert.Equal(
            "RBAC: allowed by ClusterRoleBinding \"vs-reader\" of ClusterRole \"vs-reader\" to ServiceAccount \"meshbridge/nginx-ingress\"",
            status["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, metrics.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:serviceaccount:nginx-ingress:meshbridge\" cannot get path \"/metrics\"","reason":"Forbidden","details":{},"code":403}""",
            await metrics.Content.ReadAsStringAsync());
        Assert.Equal(new RbacDenial(RbacLab.MeshBridge, "get", "", "", "", "", "", "/metrics"), Assert.Single(rbac.Server.Denials));
    }

    [Fact]
    public async Task With_EnforceRbac_off_a_service_account_may_do_anything_as_before()
    {
        await using var rbac = await RbacLab.StartAsync(enforceRbac: false);
        var outsider = rbac.As("other", "outsider");

        (await outsider.RunWithInputAsync(Cafe, "apply", "-f", "-")).Succeeded();
        (await outsider.RunAsync("get", "secrets", "-A")).Succeeded();
        var canI = await outsider.RunAsync("auth", "can-i", "delete", "virtualservers", "-A");

        Assert.Equal((0, "yes"), (canI.ExitCode, canI.Stdout.Trim()));
        Assert.Empty(rbac.Server.Denials);
    }
}
