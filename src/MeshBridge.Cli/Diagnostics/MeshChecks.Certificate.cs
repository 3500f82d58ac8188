using System.Globalization;
using System.Text.Json;
using MeshBridge.Controller.Caching;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Cli.Diagnostics;

/// <summary>The egress-mtls checks: the Policy reference and the certificate in the <c>.tls</c> Secret.</summary>
internal static partial class MeshChecks
{
    private static CertificateReport Certificate(VirtualServer server, string ns, NicIdentity identity, string trustDomain, ClusterSnapshot snapshot, DateTimeOffset now, Problems problems)
    {
        var policy = EgressMtlsPolicyBuilder.PolicyName(identity);
        if (!(server.Spec?.Policies ?? []).Any(p => p.Name == policy && (p.Namespace is null or "" || p.Namespace == ns)))
        {
            problems.Add(ProblemCodes.PolicyNotReferenced, ProblemSeverity.Error, $"VirtualServer {ns}/{server.Metadata.Name}",
                $"spec.policies does not reference the EgressMTLS Policy {policy}, so NGINX presents no mesh certificate");
        }

        var secretKey = $"{ns}/{EgressMtlsPolicyBuilder.TlsSecretName(identity)}";
        if (snapshot.ForbiddenSecrets.Contains(secretKey))
        {
            problems.Add(ProblemCodes.SecretForbidden, ProblemSeverity.Warning, $"Secret {secretKey}", "you may not read this Secret, so its certificate was not checked");
            return new CertificateReport { Secret = secretKey, Found = true };
        }

        var (report, unreadable) = CertificateInspector.Inspect(secretKey, snapshot.Secrets.GetValueOrDefault(secretKey), now);
        var subject = $"Secret {secretKey}";
        var expected = identity.SpiffeId(trustDomain);
        if (!report.Found)
        {
            problems.Add(ProblemCodes.CertificateMissing, ProblemSeverity.Error, subject, $"the certificate Secret for {expected} does not exist");
        }
        else if (unreadable is not null)
        {
            problems.Add(ProblemCodes.CertificateUnreadable, ProblemSeverity.Error, subject, unreadable);
        }
        else
        {
            if (report.Expired)
            {
                problems.Add(ProblemCodes.CertificateExpired, ProblemSeverity.Error, subject,
                    $"the certificate expired at {report.NotAfter:yyyy-MM-dd'T'HH:mm:ss'Z'}: the backends' sidecars refuse NGINX's mTLS");
            }
            else if (report.NextRotation < now - TimeSpan.FromMinutes(5))
            {
                problems.Add(ProblemCodes.CertificateRenewalOverdue, ProblemSeverity.Warning, subject,
                    $"the certificate was due for renewal at {report.NextRotation:yyyy-MM-dd'T'HH:mm:ss'Z'} and expires at {report.NotAfter:yyyy-MM-dd'T'HH:mm:ss'Z'}");
            }

            if (report.Identity != expected)
            {
                problems.Add(ProblemCodes.CertificateIdentityMismatch, ProblemSeverity.Error, subject,
                    $"the certificate is for {report.Identity ?? "no URI SAN"}, not NIC's identity {expected}");
            }
        }

        var caKey = $"{ns}/{EgressMtlsPolicyBuilder.CaSecretName(identity)}";
        if (!snapshot.Secrets.ContainsKey(caKey) && !snapshot.ForbiddenSecrets.Contains(caKey))
        {
            problems.Add(ProblemCodes.CertificateMissing, ProblemSeverity.Error, $"Secret {caKey}", "the mesh root bundle Secret (nginx.org/ca) does not exist");
        }

        return report;
    }
}
