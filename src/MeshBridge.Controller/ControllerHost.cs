using MeshBridge.Controller.Certificates;
using MeshBridge.Controller.Operations;
using MeshBridge.Kubernetes.LeaderElection;
using KubernetesApi = MeshBridge.Kubernetes.Client.Kubernetes;

namespace MeshBridge.Controller;

/// <summary>
/// Runs the controller as a deployment does: /healthz, /readyz (ready once the caches have synced, or while waiting
/// to lead) and /metrics; with leader election only the replica holding the Lease reconciles, so two replicas are
/// safe, and a replica that loses the Lease stops reconciling at once.
/// </summary>
public static class ControllerHost
{
    public static Task RunAsync(
        KubernetesApi client, ControllerOptions options, ControllerHostOptions host, ICertificateSource? certificates, Action<Uri?, Uri?>? onListening, CancellationToken cancellationToken) =>
        RunAsync(client, options, host, certificates, onListening, onLeading: null, cancellationToken);

    /// <summary>
    /// As above; <paramref name="onLeading"/> is handed each controller as it starts reconciling (at once without
    /// leader election, on winning the Lease with it) and <c>null</c> when it stops leading, so an in-process host such
    /// as <c>meshbridge lab</c> can watch <see cref="MeshController.HasSynced"/> and <see cref="MeshController.Pending"/>.
    /// </summary>
    public static async Task RunAsync(
        KubernetesApi client,
        ControllerOptions options,
        ControllerHostOptions host,
        ICertificateSource? certificates,
        Action<Uri?, Uri?>? onListening,
        Action<MeshController?>? onLeading,
        CancellationToken cancellationToken)
    {
        var metrics = new ControllerMetrics(new MetricsRegistry());
        var lifecycle = certificates as ICertificateLifecycle;
        void OnIssued(MeshIdentity identity, IssuedCertificate certificate) =>
            metrics.SetCertificateExpiration(identity.ServiceAccount.Namespace, identity.ServiceAccount.ServiceAccount, certificate.NotAfter);
        void OnFailed(MeshIdentity identity, Exception error) =>
            metrics.RecordCertificateRenewalFailure(identity.ServiceAccount.Namespace, identity.ServiceAccount.ServiceAccount);
        if (lifecycle is not null)
        {
            lifecycle.Issued += OnIssued;
            lifecycle.Failed += OnFailed;
        }

        try
        {
            await RunWithMetricsAsync(client, options, host, certificates, metrics, onListening, onLeading, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (lifecycle is not null)
            {
                lifecycle.Issued -= OnIssued;
                lifecycle.Failed -= OnFailed;
            }
        }
    }

    private static async Task RunWithMetricsAsync(
        KubernetesApi client,
        ControllerOptions options,
        ControllerHostOptions host,
        ICertificateSource? certificates,
        ControllerMetrics metrics,
        Action<Uri?, Uri?>? onListening,
        Action<MeshController?>? onLeading,
        CancellationToken cancellationToken)
    {
        MeshController? current = null;
        var standby = host.LeaderElect;
        await using var operations = await OperationsServer.StartAsync(host.Operations, metrics.Registry,
            () => current?.HasSynced == true || (standby && current is null) ? ReadinessStatus.Ready : ReadinessStatus.NotReady("informer caches are not synced yet"),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        onListening?.Invoke(operations.MetricsAddress, operations.HealthProbeAddress);

        Task LeadAsync(CancellationToken token)
        {
            current = new MeshController(client, options, certificates, metrics);
            onLeading?.Invoke(current);
            return current.RunAsync(token);
        }

        if (!host.LeaderElect)
        {
            await LeadAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var elector = new LeaderElector(
            new KubernetesLeaseClient(client),
            new LeaderElectionOptions
            {
                Namespace = host.LeaderElectionNamespace,
                Name = host.LeaderElectionName,
                Identity = host.Identity,
                LeaseDuration = host.LeaseDuration,
                RenewDeadline = host.RenewDeadline,
                RetryPeriod = host.RetryPeriod,
                ReleaseOnCancel = true,
            },
            new LeaderCallbacks
            {
                OnStartedLeading = LeadAsync,
                OnStoppedLeading = () =>
                {
                    current = null;
                    onLeading?.Invoke(null);
                },
            },
            options.Time);
        await elector.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
