using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// The JWS compact serialisation (RFC 7515 §7.1) as go-jose reads and writes it for kube-apiserver:
/// <c>base64url(header).base64url(payload).base64url(signature)</c>, unpadded.
/// </summary>
internal static class CompactJws
{
    public static string Sign(RSA key, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var signingInput = $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(payload)}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>Splits and decodes the three parts; false for anything go-jose's ParseSigned would refuse.</summary>
    public static bool TryParse(string token, out Parts parts)
    {
        parts = default;
        var segments = token.Split('.');
        if (segments.Length != 3
            || !TryDecode(segments[0], out var header)
            || !TryDecode(segments[1], out var payload)
            || !TryDecode(segments[2], out var signature))
        {
            return false;
        }

        parts = new Parts(header, payload, signature, Encoding.ASCII.GetBytes($"{segments[0]}.{segments[1]}"));
        return true;
    }

    /// <summary>
    /// Verifies with the algorithm the header names, as go-jose's RSA verifier does; an algorithm it has no RSA
    /// verifier for fails like a bad signature (go-jose reports both as ErrCryptoFailure).
    /// </summary>
    public static bool Verify(RSA key, string? algorithm, in Parts parts)
    {
        (HashAlgorithmName Hash, RSASignaturePadding Padding)? scheme = algorithm switch
        {
            "RS256" => (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "RS384" => (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            "RS512" => (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
            "PS256" => (HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "PS384" => (HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
            "PS512" => (HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
            _ => null,
        };
        return scheme is { } s && key.VerifyData(parts.SigningInput, parts.Signature, s.Hash, s.Padding);
    }

    /// <summary>Go's RawURLEncoding: the URL alphabet, no padding.</summary>
    public static bool TryDecode(string segment, out byte[] bytes)
    {
        bytes = [];
        if (segment.Contains('=', StringComparison.Ordinal) || !Base64Url.IsValid(segment))
        {
            return false;
        }

        bytes = Base64Url.DecodeFromChars(segment);
        return true;
    }

    public readonly record struct Parts(byte[] Header, byte[] Payload, byte[] Signature, byte[] SigningInput);
}
