using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshBridge.Controller.Caching;
using MeshBridge.Controller.Certificates;
using MeshBridge.Controller.Writes;
using MeshBridge.Kubernetes.Client;
using MeshBridge.Kubernetes.Models;
using MeshBridge.Transform;
using MeshBridge.Transform.Model;

namespace MeshBridge.Controller.Reconcilers;

/// <summary>
/// The egress-mtls objects of a namespace, per NIC identity: the <c>kubernetes.io/tls</c> Secret (<c>tls.crt</c>,
/// <c>tls.key</c>), the <c>nginx.org/ca</c> Secret (<c>ca.crt</c>) and the EgressMTLS Policy naming them. They are
/// written Secrets first, then the Policy, and only then is the VirtualServer patched to reference the Policy, so
/// NIC never sees a reference to something missing. Each carries an ownerReference to every VirtualServer using it;
/// when the last one stops (or is deleted) they are removed, Policy first. Owner lists change by JSON Patch guarded
/// by resourceVersion, so two VirtualServers leaving at once cannot both miss that they were the last.
/// </summary>
public sealed class EgressObjects(ClusterState state, VirtualServerIndex servers, ObjectWriter writer, ICertificateSource certificates)
{
    /// <summary>The published mesh root each identity was last re-issued for.</summary>
    private readonly ConcurrentDictionary<MeshIdentity, string> reissuedFor = new();

    /// <summary>
    /// Makes the managed Policies <paramref name="server"/>'s new form references exist, current and owned by it,
    /// Secrets first. Returns the identity still waiting for a certificate (nothing written for it) and why, or null.
    /// </summary>
    public async Task<CertificateWait?> PrepareAsync(VirtualServer server, TransformResult result, CancellationToken cancellationToken)
    {
        var ns = server.Metadata.Namespace()!;
        var owner = OwnerReference(server);
        foreach (var (desired, existing) in Wanted(result, ns))
        {
            var identity = NicIdentity.TryParse(desired.Metadata.Annotation(MeshAnnotations.IdentityAnnotation), out var parsed) ? parsed : NicIdentity.Default;
            var tls = state.OwnedSecrets.Get(ns, EgressMtlsPolicyBuilder.TlsSecretName(identity));
            var ca = state.OwnedSecrets.Get(ns, EgressMtlsPolicyBuilder.CaSecretName(identity));
            var meshIdentity = Identify(identity);
            var (certificate, problem) = await GetCertificateAsync(meshIdentity, cancellationToken).ConfigureAwait(false);
            if (certificate is not null && state.PublishedMeshRoot is { } published && !RootBundles.Same(certificate.RootBundlePem, published) &&
                reissuedFor.GetValueOrDefault(meshIdentity) != published)
            {
                // The mesh root changed (istiod's root rotation, a plugged-in CA): a certificate from the new root, once
                // per published root, so a CA still answering from the old one does not make every reconcile a CSR.
                reissuedFor[meshIdentity] = published;
                certificates.Reissue(meshIdentity);
                (certificate, problem) = await GetCertificateAsync(meshIdentity, cancellationToken).ConfigureAwait(false);
            }

            // Secrets already written keep serving (the source serves its current certificate through an outage
            // itself); without them the VirtualServer waits, and says why.
            if (problem is not null && (tls is null || ca is null))
            {
                return new CertificateWait(meshIdentity, problem);
            }

            if (certificate is null && (tls is null || ca is null))
            {
                return new CertificateWait(meshIdentity, null);
            }

            var tlsData = certificate is null ? null : new Dictionary<string, string> { ["tls.crt"] = certificate.CertificateChainPem, ["tls.key"] = certificate.PrivateKeyPem };
            var caData = certificate is null ? null : new Dictionary<string, string> { ["ca.crt"] = certificate.RootBundlePem };
            await EnsureSecretAsync(ns, EgressMtlsPolicyBuilder.TlsSecretName(identity), "kubernetes.io/tls", tls, tlsData, identity, owner, cancellationToken).ConfigureAwait(false);
            await EnsureSecretAsync(ns, EgressMtlsPolicyBuilder.CaSecretName(identity), "nginx.org/ca", ca, caData, identity, owner, cancellationToken).ConfigureAwait(false);
            await EnsurePolicyAsync(desired, existing, owner, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private async Task<(IssuedCertificate? Certificate, string? Problem)> GetCertificateAsync(MeshIdentity identity, CancellationToken cancellationToken)
    {
        try
        {
            return (await certificates.GetAsync(identity, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (null, e.Message);
        }
    }

    /// <summary>The mesh identity of a NIC service account: the trust domain of the Istio revision its namespace uses.</summary>
    public MeshIdentity Identify(NicIdentity identity) => new(identity, state.TrustDomain(state.EffectiveIstioRevision(identity.Namespace)));

    /// <summary>The identity the VirtualServer's new form presents through its MeshBridge Policy, if it references one.</summary>
    public MeshIdentity? IdentityOf(TransformResult result, string ns) =>
        Wanted(result, ns).Select(w => w.Desired).FirstOrDefault() is { } policy
            ? Identify(NicIdentity.TryParse(policy.Metadata.Annotation(MeshAnnotations.IdentityAnnotation), out var identity) ? identity : NicIdentity.Default)
            : null;

    /// <summary>
    /// After the VirtualServer <paramref name="ns"/>/<paramref name="name"/> was written (or deleted): it no longer
    /// owns the managed objects it does not reference, and those nobody owns or references any more are removed.
    /// </summary>
    public async Task RetireAsync(string ns, string name, VirtualServer? output, CancellationToken cancellationToken)
    {
        var kept = ReferencedHere(output, ns);
        foreach (var policy in state.Policies.List(ns).Where(EgressMtlsPolicyBuilder.IsManaged).Where(p => !kept.Contains(p.Metadata.Name)))
        {
            await ReleaseAsync(ResourceTypes.Policies, policy.Metadata, policy.Metadata.Name!, ns, name, cancellationToken).ConfigureAwait(false);
        }

        // A Secret goes with its Policy: only once the Policy is gone (its deletion's event brings the next reconcile).
        foreach (var secret in state.OwnedSecrets.List(ns))
        {
            if (EgressMtlsPolicyBuilder.PolicyNameOfSecret(secret.Metadata.Name) is { } policyName && !kept.Contains(policyName))
            {
                await ReleaseAsync(ResourceTypes.Secrets, secret.Metadata, policyName, ns, name, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Drops the VirtualServer <paramref name="name"/> from an owned object's owners; deletes the object when nobody
    /// owns it any more and no VirtualServer but this one references its Policy.
    /// </summary>
    private async Task ReleaseAsync(ResourceType type, V1ObjectMeta metadata, string policyName, string ns, string name, CancellationToken cancellationToken)
    {
        var owners = Owners(metadata.Extra);
        var remaining = owners.Where(o => !IsOwner(o, name)).ToList();
        var unused = remaining.Count == 0 &&
            (type != ResourceTypes.Secrets || state.Policies.Get(ns, policyName) is null) &&
            servers.PolicyUsers(new ResourceKey(Policy.KubeKind, ns, policyName)).All(k => k == $"{ns}/{name}");
        if (unused)
        {
            await writer.DeleteAsync(type, ns, metadata.Name!, cancellationToken, metadata.ResourceVersion).ConfigureAwait(false);
        }
        else if (remaining.Count != owners.Count)
        {
            await PatchOwnersAsync(type, ns, metadata.Name!, metadata.ResourceVersion, remaining, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The managed Policies the VirtualServer's new form references: (desired, cached) pairs.</summary>
    private static IEnumerable<(Policy Desired, Policy? Existing)> Wanted(TransformResult result, string ns)
    {
        var names = ReferencedHere(result.VirtualServers.FirstOrDefault(), ns);
        foreach (var created in result.CreatedPolicies.Select(c => c.Policy).Where(p => p.Metadata.Namespace() == ns && names.Contains(p.Metadata.Name)))
        {
            yield return (created, null);
        }

        foreach (var policy in result.Policies.Where(p => p.Metadata.Namespace() == ns && names.Contains(p.Metadata.Name) && EgressMtlsPolicyBuilder.IsManaged(p)))
        {
            yield return (policy, policy);
        }
    }

    private async Task EnsureSecretAsync(
        string ns, string name, string type, GenericObject? existing, Dictionary<string, string>? data, NicIdentity identity, JsonObject owner, CancellationToken cancellationToken)
    {
        var encoded = data is null ? null : new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)Convert.ToBase64String(Encoding.UTF8.GetBytes(d.Value)))));
        if (existing is null)
        {
            var secret = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = ns,
                    ["labels"] = new JsonObject { [MeshAnnotations.ManagedByLabel] = MeshAnnotations.ManagedByValue },
                    ["annotations"] = new JsonObject { [MeshAnnotations.IdentityAnnotation] = identity.ToString() },
                    ["ownerReferences"] = new JsonArray(owner.DeepClone()),
                },
                ["type"] = type,
                ["data"] = encoded,
            };
            await writer.CreateJsonAsync(ResourceTypes.Secrets, ns, secret, cancellationToken).ConfigureAwait(false);
            return;
        }

        var operations = new JsonArray();
        var current = existing.Extra?.GetValueOrDefault("data") is { ValueKind: JsonValueKind.Object } d ? JsonNode.Parse(d.GetRawText()) : null;
        if (encoded is not null && !JsonNode.DeepEquals(current, encoded))
        {
            operations.Add(new JsonObject { ["op"] = current is null ? "add" : "replace", ["path"] = "/data", ["value"] = encoded });
        }

        var owners = Owners(existing.Metadata.Extra);
        if (!owners.Any(o => IsOwner(o, owner)))
        {
            operations.Add(OwnersOperation(existing.Metadata.Extra, WithOwner(owners, owner)));
        }

        if (operations.Count > 0)
        {
            await writer.PatchJsonAsync(ResourceTypes.Secrets, ns, name, existing.Metadata.ResourceVersion, operations, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EnsurePolicyAsync(Policy desired, Policy? existing, JsonObject owner, CancellationToken cancellationToken)
    {
        var ns = desired.Metadata.Namespace()!;
        var cached = existing is null ? null : state.Policies.Get(ns, existing.Metadata.Name!);
        var owners = Owners(desired.Metadata.Extra);
        var node = (JsonObject)JsonSerializer.SerializeToNode(desired, ModelJsonContext.Default.Policy)!;
        if (!owners.Any(o => IsOwner(o, owner)))
        {
            ((JsonObject)node["metadata"]!)["ownerReferences"] = new JsonArray([.. WithOwner(owners, owner).Select(o => o.DeepClone())]);
        }

        if (existing is null)
        {
            await writer.CreateJsonAsync(ResourceTypes.Policies, ns, node, cancellationToken).ConfigureAwait(false);
        }
        else if (cached is null || !JsonNode.DeepEquals(node, JsonSerializer.SerializeToNode(cached, ModelJsonContext.Default.Policy)))
        {
            await writer.ReplaceJsonAsync(ResourceTypes.Policies, ns, desired.Metadata.Name!, node, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PatchOwnersAsync(ResourceType type, string ns, string name, string? resourceVersion, List<JsonObject> remaining, CancellationToken cancellationToken)
    {
        var operations = new JsonArray(remaining.Count == 0
            ? new JsonObject { ["op"] = "remove", ["path"] = "/metadata/ownerReferences" }
            : new JsonObject { ["op"] = "replace", ["path"] = "/metadata/ownerReferences", ["value"] = new JsonArray([.. remaining.Select(o => o.DeepClone())]) });
        await writer.PatchJsonAsync(type, ns, name, resourceVersion, operations, cancellationToken).ConfigureAwait(false);
    }

    private static JsonObject OwnersOperation(Dictionary<string, JsonElement>? metadataExtra, List<JsonObject> owners) => new()
    {
        ["op"] = metadataExtra?.ContainsKey("ownerReferences") == true ? "replace" : "add",
        ["path"] = "/metadata/ownerReferences",
        ["value"] = new JsonArray([.. owners.Select(o => o.DeepClone())]),
    };

    /// <summary>The owners plus this one; a reference to an earlier VirtualServer of the same name (another uid) is dropped.</summary>
    private static List<JsonObject> WithOwner(List<JsonObject> owners, JsonObject owner) =>
        [.. owners.Where(o => !IsOwner(o, owner["name"]!.GetValue<string>())), owner];

    private static List<JsonObject> Owners(Dictionary<string, JsonElement>? metadataExtra) =>
        metadataExtra?.GetValueOrDefault("ownerReferences") is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().Select(o => JsonNode.Parse(o.GetRawText())).OfType<JsonObject>().ToList()
            : [];

    private static JsonObject OwnerReference(VirtualServer server) => new()
    {
        ["apiVersion"] = VirtualServer.KubeApiVersion,
        ["kind"] = VirtualServer.KubeKind,
        ["name"] = server.Metadata.Name,
        ["uid"] = server.Metadata.Uid,
    };

    private static bool IsOwner(JsonObject reference, JsonObject owner) =>
        IsOwner(reference, owner["name"]!.GetValue<string>()) && reference["uid"]?.GetValue<string>() == owner["uid"]?.GetValue<string>();

    private static bool IsOwner(JsonObject reference, string name) =>
        reference["kind"]?.GetValue<string>() == VirtualServer.KubeKind && reference["name"]?.GetValue<string>() == name;

    /// <summary>The names of the Policies in <paramref name="ns"/> that the VirtualServer references.</summary>
    private static HashSet<string?> ReferencedHere(VirtualServer? server, string ns) =>
        (server?.Spec?.Policies ?? []).Where(p => string.IsNullOrEmpty(p.Namespace) || p.Namespace == ns).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
}
