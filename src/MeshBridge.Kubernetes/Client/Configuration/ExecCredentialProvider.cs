using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>
/// Credentials from a client-go exec plugin (k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go Authenticator):
/// the plugin runs on first use and again once <c>status.expirationTimestamp</c> has passed (never, without one), one
/// run at a time; after a 401 it runs again unless another request already rotated the credentials
/// (maybeRefreshCreds). A returned client certificate is exposed as <see cref="ClientCertificate"/> for the TLS layer.
/// </summary>
public sealed class ExecCredentialProvider : ITokenProvider
{
    private readonly ExternalExecution exec;
    private readonly JsonObject? cluster;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim gate = new(1, 1);
    private ExecCredentialResult? cached;

    public ExecCredentialProvider(ExternalExecution exec, TimeProvider? time = null)
        : this(exec, cluster: null, time)
    {
    }

    /// <param name="exec">The plugin.</param>
    /// <param name="cluster">The KUBERNETES_EXEC_INFO <c>spec.cluster</c>, sent when the plugin asks for cluster info.</param>
    /// <param name="time">The clock compared with the credential's expiry.</param>
    internal ExecCredentialProvider(ExternalExecution exec, JsonObject? cluster, TimeProvider? time)
    {
        ArgumentNullException.ThrowIfNull(exec);
        this.exec = exec;
        this.cluster = cluster;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>The client certificate of the current credentials, once the plugin has run; null if it returned none.</summary>
    public X509Certificate2? ClientCertificate => Volatile.Read(ref cached)?.Certificate;

    public async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) =>
        (await GetCredentialsAsync(cancellationToken).ConfigureAwait(false)).Token;

    public async ValueTask<bool> RefreshAfterUnauthorizedAsync(string? rejectedToken, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var rejected = cached;
            if (rejected is not null && rejected.Token != rejectedToken)
            {
                return true;
            }

            var fresh = await RunAsync(rejected, cancellationToken).ConfigureAwait(false);
            return fresh.Token != rejectedToken || !ReferenceEquals(fresh.Certificate, rejected?.Certificate);
        }
        finally
        {
            gate.Release();
        }
    }

    private async ValueTask<ExecCredentialResult> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref cached) is { } current && !Expired(current))
        {
            return current;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return cached is { } again && !Expired(again) ? again : await RunAsync(cached, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>client-go: expired once now is after the expiry; no expiry means valid for the life of the process.</summary>
    private bool Expired(ExecCredentialResult credentials) => credentials.Expiry is { } expiry && time.GetUtcNow() > expiry;

    private async Task<ExecCredentialResult> RunAsync(ExecCredentialResult? previous, CancellationToken cancellationToken)
    {
        var output = await ExecPluginRunner.RunAsync(exec, cluster, cancellationToken).ConfigureAwait(false);
        var fresh = ExecCredentialParser.Parse(output, exec);

        // The same certificate again keeps its object, so the transport keeps its connections: client-go closes them
        // only when the certificate really changed.
        if (fresh.Certificate is { } certificate && previous?.Certificate is { } old && certificate.RawDataMemory.Span.SequenceEqual(old.RawDataMemory.Span))
        {
            fresh = fresh with { Certificate = old };
        }

        Volatile.Write(ref cached, fresh);
        return fresh;
    }
}
