using System.Globalization;
using System.Net;

namespace MeshBridge.Grpc.Tests.Protocol;

/// <summary>The wire rules from grpc/grpc doc/PROTOCOL-HTTP2.md and doc/http-grpc-status-mapping.md.</summary>
public sealed class GrpcProtocolTests
{
    [Theory]
    [InlineData(1, "1000000n")]
    [InlineData(100, "100000u")]
    [InlineData(5_000, "5000000u")]
    [InlineData(100_000, "100000m")]
    [InlineData(86_400_000, "86400000m")]
    [InlineData(864_000_000, "864000S")]
    public void EncodeTimeout_uses_the_finest_unit_that_fits_8_digits(long milliseconds, string expected) =>
        Assert.Equal(expected, GrpcProtocol.EncodeTimeout(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData(0.0001)]
    [InlineData(99.9999)]
    [InlineData(1e9)]
    [InlineData(1e12)]
    public void EncodeTimeout_never_exceeds_8_digits_and_never_shortens_the_timeout(double milliseconds)
    {
        var timeout = TimeSpan.FromMilliseconds(milliseconds);

        var encoded = GrpcProtocol.EncodeTimeout(timeout);

        var digits = encoded[..^1];
        Assert.InRange(digits.Length, 1, 8);
        Assert.All(digits, c => Assert.True(char.IsAsciiDigit(c)));
        var nanoseconds = encoded[^1] switch
        {
            'n' => 1m,
            'u' => 1e3m,
            'm' => 1e6m,
            'S' => 1e9m,
            'M' => 60e9m,
            _ => 3600e9m,
        };
        Assert.True(decimal.Parse(digits, CultureInfo.InvariantCulture) * nanoseconds >= timeout.Ticks * 100m);
    }

    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    [InlineData(500, StatusCode.Unknown)]
    [InlineData(302, StatusCode.Unknown)]
    public void A_non_200_HTTP_status_maps_as_the_gRPC_spec_table(int http, StatusCode expected) =>
        Assert.Equal(expected, GrpcProtocol.FromHttpStatus((HttpStatusCode)http));

    [Theory]
    [InlineData("plain message", "plain message")]
    [InlineData("100%25 sure", "100% sure")]
    [InlineData("%C3%BCn%C3%AFcode", "ünïcode")]
    [InlineData("broken %zz and trailing %", "broken %zz and trailing %")]
    [InlineData("", "")]
    public void DecodeMessage_percent_decodes_UTF_8_and_keeps_malformed_escapes(string encoded, string expected) =>
        Assert.Equal(expected, GrpcProtocol.DecodeMessage(encoded));

    [Fact]
    public void An_unparseable_grpc_status_is_Unknown()
    {
        var headers = new Metadata { { "grpc-status", "abc" } };

        Assert.Equal(StatusCode.Unknown, GrpcProtocol.ReadStatus(headers)?.StatusCode);
    }

    [Fact]
    public void All_17_status_codes_keep_their_wire_numbers()
    {
        Assert.Equal(17, Enum.GetValues<StatusCode>().Length);
        Assert.Equal(16, (int)StatusCode.Unauthenticated);
        Assert.Equal(14, (int)StatusCode.Unavailable);
        Assert.Equal(4, (int)StatusCode.DeadlineExceeded);
    }
}
