using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MeshBridge.Kubernetes.Client.Configuration;

namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>A rotated token file reaches the wire: client-go's cached file token source, on a manual clock.</summary>
public sealed class TokenFileTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly ManualTimeProvider clock = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_rotated_token_file_is_sent_once_the_cached_token_is_50_seconds_old()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        var tokenFile = temp.Write("token", "token-a");
        using var http = Client(server, tokenFile);

        Assert.Equal("Bearer token-a", await GetAuthorizationAsync(http));
        temp.Write("token", "token-b\n");
        clock.Advance(TimeSpan.FromSeconds(49));
        Assert.Equal("Bearer token-a", await GetAuthorizationAsync(http));

        // client-go: one minute period less the 10 s leeway of its caching token source.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("Bearer token-b", await GetAuthorizationAsync(http));
    }

    [Fact]
    public async Task A_token_file_that_cannot_be_read_later_keeps_the_last_token()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        var tokenFile = temp.Write("token", "token-a");
        using var http = Client(server, tokenFile);
        await GetAuthorizationAsync(http);

        File.Delete(tokenFile);
        clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal("Bearer token-a", await GetAuthorizationAsync(http));
    }

    [Fact]
    public async Task A_401_rereads_the_token_file_at_once_and_retries_with_the_new_token()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        server.StatusFor = seen => seen.Authorization == "Bearer token-a" ? 401 : 200;
        var tokenFile = temp.Write("token", "token-a");
        using var http = Client(server, tokenFile);
        using (await http.GetAsync("api")) { }

        temp.Write("token", "token-b");
        using var response = await http.GetAsync("api");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer token-a", "Bearer token-a", "Bearer token-b"], server.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task A_request_body_is_sent_again_on_the_retry()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        var tokenFile = temp.Write("token", "token-a");
        server.StatusFor = seen => seen.Authorization == "Bearer token-a" ? 401 : 200;
        using var http = Client(server, tokenFile);
        using (await http.GetAsync("api")) { }
        temp.Write("token", "token-b");

        using var content = new StringContent("""{"kind":"Namespace"}""");
        using var response = await http.PostAsync("api/v1/namespaces", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Requests.Count(r => r.BodyLength == content.Headers.ContentLength));
    }

    [Fact]
    public async Task A_caller_s_own_Authorization_header_is_left_alone()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        using var http = Client(server, temp.Write("token", "token-a"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "api");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "caller-token");

        using var response = await http.SendAsync(request);

        Assert.Equal("Bearer caller-token", Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task Synchronous_sends_are_refused_rather_than_sent_without_credentials()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        using var http = Client(server, temp.Write("token", "token-a"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "api");

        Assert.Throws<NotSupportedException>(() => http.Send(request));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_token_file_wins_over_the_token_beside_it_once_read()
    {
        await using var server = await TestApiServer.StartHttpAsync();
        var config = new KubernetesClientConfiguration { Host = server.BaseUri.ToString(), AccessToken = "inline", TokenFile = temp.Write("token", "from-file"), TimeProvider = clock };
        using var http = new HttpClient(config.CreateHttpMessageHandler()) { BaseAddress = config.BaseUri };

        Assert.Equal("Bearer from-file", await GetAuthorizationAsync(http));
    }

    [Fact]
    public async Task An_empty_token_file_with_no_token_to_fall_back_on_is_an_error_naming_the_file()
    {
        var provider = new TokenFileProvider(temp.Write("token", " \n"), clock);

        var e = await Assert.ThrowsAsync<KubeConfigException>(() => provider.GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Equal($"token file {temp.Combine("token")}: the file is empty", e.Message);
    }

    private HttpClient Client(TestApiServer server, string tokenFile)
    {
        var config = new KubernetesClientConfiguration { Host = server.BaseUri.ToString(), TokenFile = tokenFile, TimeProvider = clock };
        return new HttpClient(config.CreateHttpMessageHandler()) { BaseAddress = config.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    internal static async Task<string?> GetAuthorizationAsync(HttpClient http)
    {
        using var response = await http.GetAsync("api/v1/namespaces");
        response.EnsureSuccessStatusCode();
        return (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["authorization"];
    }
}
