using System.Text;

namespace MeshBridge.Lab.ApiServer.Auth;

/// <summary>
/// Just enough of the protobuf wire format (protobuf.dev/programming-guides/encoding) to read what kubectl sends:
/// tags, varints and length-delimited fields, with every other wire type skipped. Truncated or malformed input throws
/// <see cref="InvalidDataException"/>.
/// </summary>
internal ref struct ProtobufWireReader(ReadOnlySpan<byte> buffer)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int StartGroup = 3;
    public const int EndGroup = 4;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public readonly bool AtEnd => _position >= _buffer.Length;

    /// <summary>Reads the next key; false at the end of the buffer.</summary>
    public bool TryReadTag(out int fieldNumber, out int wireType)
    {
        fieldNumber = 0;
        wireType = 0;
        if (AtEnd)
        {
            return false;
        }

        var key = ReadVarint();
        fieldNumber = checked((int)(key >> 3));
        wireType = (int)(key & 7);
        if (fieldNumber == 0)
        {
            throw new InvalidDataException("protobuf: field number 0 is not valid");
        }

        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Next();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("protobuf: varint longer than 10 bytes");
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_buffer.Length - _position))
        {
            throw new InvalidDataException("protobuf: length-delimited field runs past the end of the message");
        }

        var slice = _buffer.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    public string ReadString()
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(ReadLengthDelimited());
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException("protobuf: string field is not UTF-8", e);
        }
    }

    /// <summary>Skips the value of a field this reader does not know, whatever its wire type.</summary>
    public void Skip(int fieldNumber, int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Advance(8);
                break;
            case LengthDelimited:
                ReadLengthDelimited();
                break;
            case StartGroup:
                SkipGroup(fieldNumber);
                break;
            case Fixed32:
                Advance(4);
                break;
            default:
                throw new InvalidDataException($"protobuf: unexpected wire type {wireType} for field {fieldNumber}");
        }
    }

    /// <summary>A group runs, nested groups included, to the end-group key with its own field number.</summary>
    private void SkipGroup(int fieldNumber)
    {
        while (TryReadTag(out var inner, out var wireType))
        {
            if (wireType == EndGroup)
            {
                if (inner != fieldNumber)
                {
                    throw new InvalidDataException($"protobuf: group {fieldNumber} closed by end-group {inner}");
                }

                return;
            }

            Skip(inner, wireType);
        }

        throw new InvalidDataException($"protobuf: group {fieldNumber} is not closed");
    }

    private void Advance(int count)
    {
        if (count > _buffer.Length - _position)
        {
            throw new InvalidDataException("protobuf: fixed-width field runs past the end of the message");
        }

        _position += count;
    }

    private byte Next()
    {
        if (AtEnd)
        {
            throw new InvalidDataException("protobuf: message ends inside a varint");
        }

        return _buffer[_position++];
    }
}
