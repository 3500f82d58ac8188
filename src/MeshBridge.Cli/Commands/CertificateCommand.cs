using System.CommandLine;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using MeshBridge.Certificates;
using MeshBridge.Certificates.IstioCa;
using MeshBridge.Certificates.Sds;
using MeshBridge.Cli.Certificates;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Client.Configuration;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Cli.Commands;

/// <summary>
/// <c>meshbridge certificate request</c>: one certificate from the Istio CA, as the controller's istio-ca source gets
/// it (DESIGN.md §3), written as <c>tls.crt</c>, <c>tls.key</c> and <c>ca.crt</c>. For trying a mesh by hand and for
/// diagnosing the controller's CA access. <c>meshbridge certificate fetch</c>: the same three files from a workload's
/// SDS server (istio-agent, SPIRE agent) over its Unix socket, as Envoy gets them. Never prints the token or the key.
/// </summary>
internal static class CertificateCommand
{
    /// <summary>TokenRequest expiry: short, the token is used once (the API server's minimum is 10 minutes).</summary>
    private const long TokenExpirationSeconds = 600;

    public static Command Create(CliConsole console)
    {
        var command = new Command("certificate", "Mesh certificates from the Istio CA or a workload's SDS server.");
        command.Subcommands.Add(CreateRequest(console));
        command.Subcommands.Add(CreateFetch(console));
        return command;
    }

    private static Command CreateFetch(CliConsole console)
    {
        var socket = new Option<string>("--sds-socket")
        {
            Description = $"The SDS Unix socket: istio-agent's {SdsRequest.IstioAgentSocket} (in the proxy's working directory), or SPIRE's Workload API socket.",
            HelpName = "PATH",
            Required = true,
        };
        var resource = new Option<string>("--resource") { Description = "The secret holding the workload key and chain.", DefaultValueFactory = _ => "default", HelpName = "NAME" };
        var rootResource = new Option<string>("--root-resource")
        {
            Description = "The secret holding the trust bundle (istio-agent: ROOTCA; SPIRE: ROOTCA or spiffe://<trust domain>).",
            DefaultValueFactory = _ => "ROOTCA",
            HelpName = "NAME",
        };
        var trustDomain = new Option<string?>("--trust-domain")
        {
            Description = "When the bundle comes as SPIRE's SPIFFE validator (one bundle per trust domain), the trust domain to take it from; default: the only one.",
            HelpName = "TD",
        };
        var nodeId = new Option<string>("--node-id") { Description = "The node.id of the first request (istio-agent refuses an empty one).", DefaultValueFactory = _ => SdsRequest.DefaultNodeId, HelpName = "ID" };
        var outDir = new Option<string>("--out-dir") { Description = "Where to write tls.crt, tls.key (mode 0600) and ca.crt.", DefaultValueFactory = _ => ".", HelpName = "DIR" };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait for both secrets: 10s, 1m.", DefaultValueFactory = _ => "10s", HelpName = "DURATION" };
        var command = new Command("fetch", "Fetch the workload certificate and trust bundle from an SDS server (StreamSecrets) and write tls.crt, tls.key and ca.crt.\n" +
            "Exit code: 0 written, 1 the server refused or sent unusable secrets, 2 usage, 3 an output unwritable, 4 no socket or no answer in time.");
        foreach (var option in new Option[] { socket, resource, rootResource, trustDomain, nodeId, outDir, timeout })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!DurationParser.TryParse(parse.GetValue(timeout)!, out var wait) || wait <= TimeSpan.Zero)
            {
                console.Error.WriteLine($"error: --timeout \"{parse.GetValue(timeout)}\": expected a positive duration such as 10s or 1m");
                return ExitCodes.Usage;
            }

            var request = new SdsRequest
            {
                SocketPath = parse.GetValue(socket)!,
                CertificateResource = parse.GetValue(resource)!,
                RootResource = parse.GetValue(rootResource)!,
                TrustDomain = parse.GetValue(trustDomain),
                NodeId = parse.GetValue(nodeId)!,
                Timeout = wait,
            };
            return await FetchAsync(console, request, parse.GetValue(outDir)!, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> FetchAsync(CliConsole console, SdsRequest request, string outDir, CancellationToken cancellationToken)
    {
        SdsSecrets secrets;
        try
        {
            secrets = await new SdsClient(TimeProvider.System).FetchAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return Fail(console, ExitCodes.Usage, e.Message.Split(" (Parameter", 2)[0]);
        }
        catch (SdsException e)
        {
            return Fail(console, e.Failure is SdsFailure.SocketMissing or SdsFailure.Timeout ? ExitCodes.Unreachable : ExitCodes.CertificateRefused, e.Message);
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(secrets.CertificateChainPem, secrets.PrivateKeyPem);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            // Also a key that does not match the leaf: CreateFromPem pairs them.
            return Fail(console, ExitCodes.CertificateRefused, $"secret '{request.CertificateResource}' is not a PEM certificate with its private key: {e.Message}");
        }

        using (leaf)
        {
            try
            {
                Write(outDir, secrets.CertificateChainPem, secrets.PrivateKeyPem, secrets.RootBundlePem);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail(console, ExitCodes.InputError, $"--out-dir {outDir}: {e.Message}");
            }

            var identities = SubjectAlternativeNames.Uris(leaf);
            console.Out.WriteLine($"identity:   {(identities.Count > 0 ? string.Join(", ", identities) : "none (no URI SAN)")}");
            console.Out.WriteLine($"issuer:     {leaf.Issuer}");
            console.Out.WriteLine($"serial:     {leaf.SerialNumber}");
            console.Out.WriteLine($"not after:  {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}");
            console.Out.WriteLine($"version:    {secrets.CertificateVersion}");
            console.Out.WriteLine($"wrote:      {Path.Combine(outDir, "tls.crt")}, {Path.Combine(outDir, "tls.key")}, {Path.Combine(outDir, "ca.crt")}");
        }

        return ExitCodes.Success;
    }

    private static Command CreateRequest(CliConsole console)
    {
        var caAddress = new Option<string>("--ca-address")
        {
            Description = "The Istio CA, HOST:PORT (istiod listens on 15012; e.g. after 'kubectl -n istio-system port-forward svc/istiod 15012').",
            HelpName = "HOST:PORT",
            Required = true,
        };
        var rootCert = new Option<string>("--root-cert")
        {
            Description = "The mesh root PEM (root-cert.pem of ConfigMap istio-ca-root-cert), trusted for the CA's TLS and the issued chain.",
            HelpName = "FILE",
            Required = true,
        };
        var serverName = new Option<string>("--tls-server-name")
        {
            Description = "The name the CA's TLS certificate must carry (istiod-<rev>.<ns>.svc for a revision).",
            HelpName = "NAME",
            DefaultValueFactory = _ => "istiod.istio-system.svc",
        };
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = "A service account token with audience istio-ca (e.g. 'kubectl create token SA -n NS --audience istio-ca'). " +
                "Without --service-account the identity is read from its claims, decoded only, not verified: the CA verifies it.",
            HelpName = "FILE",
        };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Mint the token with a TokenRequest (audience istio-ca, 10 minutes) through this kubeconfig.", HelpName = "PATH" };
        var context = new Option<string?>("--context") { Description = "The kubeconfig context to use." };
        var serviceAccount = new Option<string?>("--service-account") { Description = "The identity's service account; required with --kubeconfig.", HelpName = "NAMESPACE/NAME" };
        var trustDomain = new Option<string>("--trust-domain") { Description = "The mesh trust domain (MeshConfig trustDomain).", DefaultValueFactory = _ => "cluster.local", HelpName = "TD" };
        var validity = new Option<string>("--validity") { Description = "Validity to ask for: 24h, 90m, 1h30m, 7d (istiod allows up to 90 days; istio-csr shortens to its maximum).", DefaultValueFactory = _ => "24h", HelpName = "DURATION" };
        var clusterId = new Option<string?>("--cluster-id") { Description = "ClusterID metadata for multi-cluster istiod; default: none (istiod's own cluster).", HelpName = "ID" };
        var outDir = new Option<string>("--out-dir") { Description = "Where to write tls.crt, tls.key (mode 0600) and ca.crt.", DefaultValueFactory = _ => ".", HelpName = "DIR" };
        var command = new Command("request", "Request a certificate for a service account from the Istio CA, verify it, and write tls.crt, tls.key and ca.crt.\n" +
            "Exit code: 0 written, 1 the CA refused or its certificate failed verification, 2 usage, 3 an input unusable, 4 unreachable.");
        foreach (var option in new Option[] { caAddress, rootCert, serverName, tokenFile, kubeconfig, context, serviceAccount, trustDomain, validity, clusterId, outDir })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var problems = new List<string>();
            if (!DurationParser.TryParse(parse.GetValue(validity)!, out var duration) || duration < TimeSpan.FromSeconds(1))
            {
                problems.Add($"--validity \"{parse.GetValue(validity)}\": expected a positive duration such as 24h, 90m or 1h30m");
            }

            try
            {
                IstioCaClient.ParseAddress(parse.GetValue(caAddress)!);
            }
            catch (ArgumentException e)
            {
                problems.Add($"--ca-address: {e.Message.Split(" (Parameter", 2)[0]}");
            }

            (string Namespace, string Name)? account = null;
            if (parse.GetValue(serviceAccount) is { } named)
            {
                if (named.Split('/') is [{ Length: > 0 } ns, { Length: > 0 } name])
                {
                    account = (ns, name);
                }
                else
                {
                    problems.Add($"--service-account \"{named}\": expected NAMESPACE/NAME");
                }
            }

            var fromFile = parse.GetValue(tokenFile);
            var fromCluster = parse.GetValue(kubeconfig);
            if ((fromFile is null) == (fromCluster is null))
            {
                problems.Add("give exactly one of --token-file FILE and --kubeconfig PATH (with --service-account NAMESPACE/NAME)");
            }
            else if (fromCluster is not null && parse.GetValue(serviceAccount) is null)
            {
                problems.Add("--kubeconfig needs --service-account NAMESPACE/NAME: the account to mint the token for");
            }

            if (problems.Count > 0)
            {
                problems.ForEach(p => console.Error.WriteLine($"error: {p}"));
                return ExitCodes.Usage;
            }

            var inputs = new Inputs(parse.GetValue(caAddress)!, parse.GetValue(rootCert)!, parse.GetValue(serverName)!, parse.GetValue(trustDomain)!,
                duration, parse.GetValue(clusterId), parse.GetValue(outDir)!);
            return await ExecuteAsync(console, inputs, account, fromFile, fromCluster, parse.GetValue(context), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ExecuteAsync(
        CliConsole console, Inputs inputs, (string Namespace, string Name)? account, string? tokenFile, string? kubeconfig, string? context, CancellationToken cancellationToken)
    {
        if (!TryReadFile(console, "--root-cert", inputs.RootFile, out var rootPem))
        {
            return ExitCodes.InputError;
        }

        string token;
        if (tokenFile is not null)
        {
            if (!TryReadFile(console, "--token-file", tokenFile, out token))
            {
                return ExitCodes.InputError;
            }

            token = token.Trim();
            if (token.Length == 0)
            {
                return Fail(console, ExitCodes.InputError, $"--token-file {tokenFile}: the file is empty");
            }

            if (account is null)
            {
                if (!ServiceAccountTokenIdentity.TryRead(token, out var claimed, out var problem))
                {
                    return Fail(console, ExitCodes.InputError, $"--token-file {tokenFile}: cannot tell the identity: {problem}; pass --service-account NAMESPACE/NAME");
                }

                account = claimed;
            }
        }
        else
        {
            var minted = await MintTokenAsync(console, kubeconfig!, context, account!.Value, cancellationToken).ConfigureAwait(false);
            if (minted.Token is null)
            {
                return minted.ExitCode;
            }

            token = minted.Token;
        }

        var spiffeId = $"spiffe://{inputs.TrustDomain}/ns/{account.Value.Namespace}/sa/{account.Value.Name}";
        VerifiedCertificate certificate;
        try
        {
            certificate = await new IstioCaClient(TimeProvider.System).RequestAsync(
                new IstioCaRequest
                {
                    Address = inputs.CaAddress,
                    RootCertificatePem = rootPem,
                    ServerName = inputs.ServerName,
                    BearerToken = token,
                    SpiffeId = spiffeId,
                    Validity = inputs.Validity,
                    ClusterId = inputs.ClusterId,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return Fail(console, ExitCodes.InputError, $"{e.Message.Split(" (Parameter", 2)[0]} (root {inputs.RootFile}, identity {spiffeId})");
        }
        catch (IstioCaException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            console.Error.WriteLine("nothing was written.");
            return e.Failure is IstioCaFailure.Unreachable or IstioCaFailure.Timeout ? ExitCodes.Unreachable : ExitCodes.CertificateRefused;
        }

        try
        {
            Write(inputs.OutDir, certificate.CertificateChainPem, certificate.PrivateKeyPem, certificate.RootBundlePem);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(console, ExitCodes.InputError, $"--out-dir {inputs.OutDir}: {e.Message}");
        }

        using var leaf = X509Certificate2.CreateFromPem(certificate.CertificateChainPem);
        console.Out.WriteLine($"identity:   {certificate.SpiffeId}");
        console.Out.WriteLine($"issuer:     {leaf.Issuer}");
        console.Out.WriteLine($"serial:     {leaf.SerialNumber}");
        console.Out.WriteLine($"not before: {certificate.NotBefore:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        console.Out.WriteLine($"not after:  {certificate.NotAfter:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        console.Out.WriteLine($"wrote:      {Path.Combine(inputs.OutDir, "tls.crt")}, {Path.Combine(inputs.OutDir, "tls.key")}, {Path.Combine(inputs.OutDir, "ca.crt")}");
        return ExitCodes.Success;
    }

    private static async Task<(string? Token, int ExitCode)> MintTokenAsync(
        CliConsole console, string kubeconfig, string? context, (string Namespace, string Name) account, CancellationToken cancellationToken)
    {
        try
        {
            var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context);
            using var client = new KubernetesApi(configuration);
            var result = await client.CreateTokenAsync(account.Namespace, account.Name, ["istio-ca"], TokenExpirationSeconds, cancellationToken).ConfigureAwait(false);
            return (result.Token, ExitCodes.Success);
        }
        catch (KubeConfigException e)
        {
            return (null, Fail(console, ExitCodes.InputError, $"--kubeconfig {kubeconfig}: {e.Message}"));
        }
        catch (KubernetesException e)
        {
            return (null, Fail(console, ExitCodes.CertificateRefused,
                $"TokenRequest for {account.Namespace}/{account.Name} failed: {e.Message} (it needs RBAC create on serviceaccounts/token for that account)"));
        }
        catch (HttpRequestException e)
        {
            return (null, Fail(console, ExitCodes.Unreachable, $"TokenRequest for {account.Namespace}/{account.Name}: the API server is unreachable: {e.Message}"));
        }
    }

    /// <summary>Writes the three files; the key is created 0600 before any byte is in it, then moved over any old one.</summary>
    private static void Write(string outDir, string chainPem, string keyPem, string rootPem)
    {
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "tls.crt"), chainPem);
        var temporary = Path.Combine(outDir, $".tls.key.{Guid.NewGuid():N}");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var key = new StreamWriter(temporary, System.Text.Encoding.ASCII, options))
        {
            key.Write(keyPem);
        }

        File.Move(temporary, Path.Combine(outDir, "tls.key"), overwrite: true);
        File.WriteAllText(Path.Combine(outDir, "ca.crt"), rootPem);
    }

    private static bool TryReadFile(CliConsole console, string option, string path, out string text)
    {
        try
        {
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"error: {option} {path}: {e.Message}");
            text = string.Empty;
            return false;
        }
    }

    private static int Fail(CliConsole console, int exitCode, string message)
    {
        console.Error.WriteLine($"error: {message}");
        console.Error.WriteLine("nothing was written.");
        return exitCode;
    }

    private sealed record Inputs(string CaAddress, string RootFile, string ServerName, string TrustDomain, TimeSpan Validity, string? ClusterId, string OutDir);
}
