using System.Net;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Tests.Lab;
using static MeshBridge.Kubernetes.Tests.Lab.Objects;

namespace MeshBridge.Kubernetes.Tests.Client;

/// <summary>The client against the lab API server: each verb with the API server's semantics.</summary>
public sealed class ClientVerbTests
{
    private static readonly ResourceType ConfigMaps = ResourceTypes.ConfigMaps;

    [Fact]
    public async Task Create_get_replace_and_delete_round_trip_with_new_resource_versions()
    {
        await using var lab = await LabConnection.StartAsync();

        var created = await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));
        var fetched = await lab.Client.GetAsync(ConfigMaps, "default", "a");
        fetched["data"]!["value"] = "2";
        var replaced = await lab.Client.ReplaceAsync(ConfigMaps, "default", "a", fetched);
        var deleted = await lab.Client.DeleteAsync(ConfigMaps, "default", "a");
        var after = await lab.Client.TryGetAsync(ConfigMaps, "default", "a");

        Assert.False(string.IsNullOrEmpty(created["metadata"]!["uid"]!.GetValue<string>()));
        Assert.Equal(created["metadata"]!["resourceVersion"]!.ToString(), fetched["metadata"]!["resourceVersion"]!.ToString());
        Assert.NotEqual(fetched["metadata"]!["resourceVersion"]!.ToString(), replaced["metadata"]!["resourceVersion"]!.ToString());
        Assert.Equal("2", replaced["data"]!["value"]!.ToString());
        Assert.Null(deleted);
        Assert.Null(after);
    }

    [Fact]
    public async Task A_stale_resource_version_is_a_conflict_with_the_API_servers_message()
    {
        await using var lab = await LabConnection.StartAsync();
        var created = await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));
        var stale = (JsonObject)created.DeepClone();
        await lab.Client.ReplaceAsync(ConfigMaps, "default", "a", WithData(created, "2"));

        var error = await Assert.ThrowsAsync<KubernetesException>(() => lab.Client.ReplaceAsync(ConfigMaps, "default", "a", WithData(stale, "3")));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal("Conflict", error.Reason);
        Assert.Equal("Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again", error.Message);
    }

    [Fact]
    public async Task Creating_an_existing_object_or_reading_a_missing_one_fails_with_the_Status_reason()
    {
        await using var lab = await LabConnection.StartAsync();
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));

        var exists = await Assert.ThrowsAsync<KubernetesException>(() => lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a")));
        var missing = await Assert.ThrowsAsync<KubernetesException>(() => lab.Client.GetAsync(ConfigMaps, "default", "nope"));
        var noNamespace = await Assert.ThrowsAsync<KubernetesException>(() => lab.Client.CreateAsync(ConfigMaps, "ghost", ConfigMap("a", "ghost")));

        Assert.Equal("AlreadyExists", exists.Reason);
        Assert.True(missing.IsNotFound);
        Assert.Equal("configmaps \"nope\" not found", missing.Message);
        Assert.Equal("namespaces \"ghost\" not found", noNamespace.Message);
    }

    [Fact]
    public async Task Lists_filter_by_label_and_field_selectors_and_page_with_continue()
    {
        await using var lab = await LabConnection.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap($"cm-{i}", label: i % 2 == 0 ? "web" : "db"));
        }

        var web = await lab.Client.ListAsync(ConfigMaps, "default", new ListOptions { LabelSelector = "tier in (web)" });
        var notWeb = await lab.Client.ListAsync(ConfigMaps, "default", new ListOptions { LabelSelector = "tier!=web" });
        var byName = await lab.Client.ListAsync(ConfigMaps, "default", new ListOptions { FieldSelector = "metadata.name=cm-3" });
        var firstPage = await lab.Client.ListAsync(ConfigMaps, "default", new ListOptions { Limit = 3 });
        var all = await lab.Client.ListAllAsync(ConfigMaps, "default", pageSize: 2);

        Assert.Equal(4, web.Items.Count);
        Assert.Equal(3, notWeb.Items.Count);
        Assert.Equal("cm-3", Assert.Single(byName.Items)["metadata"]!["name"]!.ToString());
        Assert.Equal(3, firstPage.Items.Count);
        Assert.NotNull(firstPage.Continue);
        Assert.Equal(7, all.Items.Count);
        Assert.Equal(7, all.Items.Select(i => i["metadata"]!["name"]!.ToString()).Distinct().Count());
    }

    [Fact]
    public async Task An_unsupported_field_selector_is_a_bad_request()
    {
        await using var lab = await LabConnection.StartAsync();

        var error = await Assert.ThrowsAsync<KubernetesException>(() => lab.Client.ListAsync(ConfigMaps, "default", new ListOptions { FieldSelector = "data.value=1" }));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("field label not supported: data.value", error.Message);
    }

    [Fact]
    public async Task A_finalizer_holds_a_deletion_until_it_is_removed()
    {
        await using var lab = await LabConnection.StartAsync();
        var withFinalizer = ConfigMap("held");
        withFinalizer["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        await lab.Client.CreateAsync(ConfigMaps, "default", withFinalizer);

        var pending = await lab.Client.DeleteAsync(ConfigMaps, "default", "held");
        var stillThere = await lab.Client.GetAsync(ConfigMaps, "default", "held");
        stillThere["metadata"]!["finalizers"] = new JsonArray();
        await lab.Client.ReplaceAsync(ConfigMaps, "default", "held", stillThere);

        Assert.NotNull(pending);
        Assert.NotNull(stillThere["metadata"]!["deletionTimestamp"]);
        Assert.Null(await lab.Client.TryGetAsync(ConfigMaps, "default", "held"));
    }

    [Fact]
    public async Task Deleting_an_owner_collects_its_dependents_unless_they_are_orphaned()
    {
        await using var lab = await LabConnection.StartAsync();
        var owner = await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("owner"));
        var orphanOwner = await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("orphan-owner"));
        await lab.Client.CreateAsync(ConfigMaps, "default", OwnedBy(ConfigMap("dependent"), owner));
        await lab.Client.CreateAsync(ConfigMaps, "default", OwnedBy(ConfigMap("kept"), orphanOwner));

        await lab.Client.DeleteAsync(ConfigMaps, "default", "owner", new DeleteOptions { PropagationPolicy = "Background" });
        await lab.Client.DeleteAsync(ConfigMaps, "default", "orphan-owner", new DeleteOptions { PropagationPolicy = "Orphan" });

        Assert.Null(await lab.Client.TryGetAsync(ConfigMaps, "default", "dependent"));
        var kept = await lab.Client.GetAsync(ConfigMaps, "default", "kept");
        Assert.Null(kept["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public async Task A_delete_precondition_on_a_stale_resource_version_is_refused()
    {
        await using var lab = await LabConnection.StartAsync();
        await lab.Client.CreateAsync(ConfigMaps, "default", ConfigMap("a"));

        var error = await Assert.ThrowsAsync<KubernetesException>(() =>
            lab.Client.DeleteAsync(ConfigMaps, "default", "a", new DeleteOptions { PreconditionResourceVersion = "1" }));

        Assert.True(error.IsConflict);
        Assert.NotNull(await lab.Client.TryGetAsync(ConfigMaps, "default", "a"));
    }

    [Fact]
    public async Task The_client_speaks_HTTP2_to_the_lab_and_kubeconfig_credentials_authenticate_it()
    {
        await using var lab = await LabConnection.StartAsync();

        await lab.Client.ListAsync(ConfigMaps, "default");

        Assert.Equal(1, lab.Server.Counters.ProtocolCount("HTTP/2"));
    }

    [Fact]
    public async Task A_token_from_TokenRequest_authenticates_as_its_service_account_and_an_unknown_one_does_not()
    {
        await using var lab = await LabConnection.StartAsync();
        await lab.Client.CreateAsync(ResourceTypes.ServiceAccounts, "default", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "nic" } });

        var apiToken = await lab.Client.CreateTokenAsync("default", "nic", [], 3600);
        var meshToken = await lab.Client.CreateTokenAsync("default", "nic", ["istio-ca"], 600);
        var asApi = await ReviewAsync(lab, apiToken.Token, []);
        var asMesh = await ReviewAsync(lab, meshToken.Token, ["istio-ca"]);
        var meshTokenAgainstApi = await ReviewAsync(lab, meshToken.Token, []);

        Assert.Equal("system:serviceaccount:default:nic", asApi["status"]!["user"]!["username"]!.ToString());
        Assert.True(asMesh["status"]!["authenticated"]!.GetValue<bool>());
        Assert.Null(meshTokenAgainstApi["status"]!["authenticated"]);
        Assert.True(meshToken.ExpirationTimestamp > DateTimeOffset.UtcNow.AddMinutes(9));
        Assert.DoesNotContain(meshToken.Token, meshToken.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_without_credentials_is_unauthorized()
    {
        await using var lab = await LabConnection.StartAsync();
        using var anonymous = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { BaseAddress = lab.Server.BaseAddress };

        var response = await anonymous.GetAsync(new Uri("api/v1/namespaces", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static Task<JsonObject> ReviewAsync(LabConnection lab, string token, string[] audiences) =>
        lab.Client.CreateAsync(ResourceTypes.TokenReviews, null, new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenReview",
            ["spec"] = new JsonObject { ["token"] = token, ["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode)a)]) },
        });

    private static JsonObject WithData(JsonObject obj, string value)
    {
        obj["data"]!["value"] = value;
        return obj;
    }

    private static JsonObject OwnedBy(JsonObject obj, JsonObject owner)
    {
        obj["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["name"] = owner["metadata"]!["name"]!.ToString(),
            ["uid"] = owner["metadata"]!["uid"]!.ToString(),
        });
        return obj;
    }
}
