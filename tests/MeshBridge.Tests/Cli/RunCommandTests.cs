using MeshBridge.Tests.Support;

namespace MeshBridge.Tests.Cli;

/// <summary>
/// <c>meshbridge run</c>'s command line, up to the point where it would contact a cluster. The tests that set
/// environment variables live in this one class, so xunit runs them one after another.
/// </summary>
public sealed class RunCommandTests
{
    [Theory]
    [InlineData("env in prod", "position 8: expected '(' after \"in\"")]
    [InlineData("env=prod,", "position 10: expected a label key or '!' after ','")]
    [InlineData("Bad.Prefix/key", "position 1: invalid label key \"Bad.Prefix/key\"")]
    public void An_invalid_namespace_selector_is_a_usage_error_naming_the_problem(string selector, string problem)
    {
        var run = CliRun.Invoke("run", "--namespace-selector", selector, "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.StartsWith($"error: --namespace-selector \"{selector}\": {problem}", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_valid_namespace_selector_gets_past_the_command_line_to_the_kubeconfig()
    {
        var run = CliRun.Invoke("run", "--namespace-selector", "meshbridge.io/enabled in (true), !legacy", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("--namespace-selector", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/kubeconfig", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_selector_from_the_environment_says_where_it_came_from()
    {
        var run = WithVariable("MESHBRIDGE_NAMESPACE_SELECTOR", "team notin (a", () => CliRun.Invoke("run", "--kubeconfig", "/nonexistent/kubeconfig"));

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(
            "error: --namespace-selector \"team notin (a\" (from MESHBRIDGE_NAMESPACE_SELECTOR): position 14: expected ',' or ')'",
            run.Stderr,
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_flag_wins_over_the_environment_selector()
    {
        var run = WithVariable("MESHBRIDGE_NAMESPACE_SELECTOR", "a,", () => CliRun.Invoke("run", "--namespace-selector", "mesh", "--kubeconfig", "/nonexistent/kubeconfig"));

        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("--namespace-selector", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_shows_the_ingress_class_from_the_environment_and_the_istio_namespace_default()
    {
        var run = WithVariable("MESHBRIDGE_INGRESS_CLASS", "nginx-sidecar", () => CliRun.Invoke("run", "--help"));

        Assert.Equal(0, run.ExitCode);
        var ingressClass = run.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("--ingress-class", StringComparison.Ordinal));
        var istioNamespace = run.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("--istio-namespace", StringComparison.Ordinal));
        Assert.EndsWith("[default: nginx-sidecar]", ingressClass.TrimEnd(), StringComparison.Ordinal);
        Assert.EndsWith("[default: istio-system]", istioNamespace.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("--namespace-selector", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1x")]
    [InlineData("90s")]
    public void A_certificate_validity_that_is_not_a_duration_of_at_least_two_minutes_is_a_usage_error(string validity)
    {
        var run = CliRun.Invoke("run", "--certificate-validity", validity, "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: --certificate-validity \"{validity}\": expected a duration of at least 2m", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_certificate_source_is_istio_ca_unless_none_is_asked_for_and_nothing_else_is_accepted()
    {
        var help = CliRun.Invoke("run", "--help");
        var bogus = CliRun.Invoke("run", "--certificate-source", "vault", "--kubeconfig", "/nonexistent/kubeconfig");
        var none = CliRun.Invoke("run", "--certificate-source", "none", "--certificate-validity", "12h", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.EndsWith("[default: istio-ca]", help.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("--certificate-source", StringComparison.Ordinal)).TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(2, bogus.ExitCode);
        Assert.Contains("vault", bogus.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("/nonexistent/kubeconfig", none.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sds_source_takes_an_istio_agent_or_a_SPIRE_server_and_its_socket()
    {
        var help = CliRun.Invoke("run", "--help");
        var bogus = CliRun.Invoke("run", "--certificate-source", "sds", "--sds-server", "vault-agent", "--kubeconfig", "/nonexistent/kubeconfig");
        var spire = CliRun.Invoke("run", "--certificate-source", "sds", "--sds-server", "spire", "--sds-socket", "/run/spire/sockets/agent.sock", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.EndsWith("[default: istio-agent]", help.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("--sds-server", StringComparison.Ordinal)).TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("--sds-socket", help.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, bogus.ExitCode);
        Assert.Contains("vault-agent", bogus.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, spire.ExitCode);
        Assert.Contains("/nonexistent/kubeconfig", spire.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_istio_namespace_is_a_usage_error()
    {
        var run = CliRun.Invoke("run", "--istio-namespace", "", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --istio-namespace must name a namespace\n", run.Stderr);
    }

    private static CliRun WithVariable(string name, string value, Func<CliRun> action)
    {
        var before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            return action();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, before);
        }
    }
}
