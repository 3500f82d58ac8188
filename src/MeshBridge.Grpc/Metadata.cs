using System.Collections;
using System.Text;

namespace MeshBridge.Grpc;

/// <summary>
/// gRPC metadata: ordered key/value entries sent as HTTP/2 headers or received as headers/trailers. Keys are
/// lower-cased (HTTP/2 requires it) and keys ending in <c>-bin</c> carry bytes, base64-encoded on the wire
/// (grpc doc/PROTOCOL-HTTP2.md "Custom-Metadata").
/// </summary>
/// <remarks>
/// <see cref="ToString"/> redacts <c>authorization</c>: it carries service-account tokens, which must never reach a log.
/// </remarks>
public sealed class Metadata : IList<Metadata.Entry>
{
    /// <summary>The suffix that marks a binary-valued key.</summary>
    public const string BinaryHeaderSuffix = "-bin";

    private readonly List<Entry> _entries = [];

    /// <inheritdoc />
    public int Count => _entries.Count;

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <inheritdoc />
    public Entry this[int index]
    {
        get => _entries[index];
        set => _entries[index] = value;
    }

    /// <summary>Adds an ASCII-valued entry.</summary>
    public void Add(string key, string value) => _entries.Add(new Entry(key, value));

    /// <summary>Adds a binary entry; the key must end in <c>-bin</c>.</summary>
    public void Add(string key, byte[] valueBytes) => _entries.Add(new Entry(key, valueBytes));

    /// <inheritdoc />
    public void Add(Entry item) => _entries.Add(item);

    /// <summary>The first entry with this key (case-insensitive), or null.</summary>
    public Entry? Get(string key)
    {
        var normalized = key.ToLowerInvariant();
        return _entries.Find(e => e.Key == normalized);
    }

    /// <summary>The first string value for this key, or null.</summary>
    public string? GetValue(string key) => Get(key)?.Value;

    /// <inheritdoc />
    public void Clear() => _entries.Clear();

    /// <inheritdoc />
    public bool Contains(Entry item) => _entries.Contains(item);

    /// <inheritdoc />
    public void CopyTo(Entry[] array, int arrayIndex) => _entries.CopyTo(array, arrayIndex);

    /// <inheritdoc />
    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    /// <inheritdoc />
    public int IndexOf(Entry item) => _entries.IndexOf(item);

    /// <inheritdoc />
    public void Insert(int index, Entry item) => _entries.Insert(index, item);

    /// <inheritdoc />
    public bool Remove(Entry item) => _entries.Remove(item);

    /// <inheritdoc />
    public void RemoveAt(int index) => _entries.RemoveAt(index);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder("Metadata(");
        foreach (var entry in _entries)
        {
            text.Append(entry).Append(';');
        }

        return text.Append(')').ToString();
    }

    /// <summary>
    /// One metadata entry. A binary entry keeps its bytes; an ASCII entry its string. Keys are validated against
    /// the gRPC grammar (<c>0-9 a-z _ - .</c>) so a bad key fails here, not as an opaque HTTP/2 protocol error.
    /// </summary>
    public sealed class Entry
    {
        private readonly byte[]? _valueBytes;
        private readonly string? _value;

        /// <summary>Creates an ASCII-valued entry.</summary>
        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            if (IsBinaryKey(Key))
            {
                throw new ArgumentException($"Key '{Key}' ends in '-bin' and so needs a byte[] value.", nameof(key));
            }

            ArgumentNullException.ThrowIfNull(value);
            foreach (var c in value)
            {
                if (c is < ' ' or > '~')
                {
                    throw new ArgumentException(
                        $"The value of '{Key}' has a character outside printable ASCII; gRPC sends those only in '-bin' entries.",
                        nameof(value));
                }
            }

            _value = value;
        }

        /// <summary>Creates a binary entry.</summary>
        public Entry(string key, byte[] valueBytes)
        {
            Key = NormalizeKey(key);
            if (!IsBinaryKey(Key))
            {
                throw new ArgumentException($"Key '{Key}' has a byte[] value and so must end in '-bin'.", nameof(key));
            }

            _valueBytes = valueBytes;
        }

        /// <summary>The lower-case key.</summary>
        public string Key { get; }

        /// <summary>Whether this entry carries bytes (its key ends in <c>-bin</c>).</summary>
        public bool IsBinary => _valueBytes is not null;

        /// <summary>The string value; throws for a binary entry.</summary>
        public string Value => IsBinary
            ? throw new InvalidOperationException($"Entry '{Key}' is binary; read ValueBytes.")
            : _value!;

        /// <summary>The bytes of a binary entry, or the ASCII bytes of a string entry.</summary>
        public byte[] ValueBytes => _valueBytes ?? Encoding.ASCII.GetBytes(Value);

        /// <summary>Whether a key names a binary entry.</summary>
        public static bool IsBinaryKey(string key) => key.EndsWith(BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase);

        /// <inheritdoc />
        public override string ToString() => Key switch
        {
            "authorization" => "authorization=<redacted>",
            _ when IsBinary => $"{Key}=[{_valueBytes!.Length} bytes]",
            _ => $"{Key}={Value}",
        };

        private static string NormalizeKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            var normalized = key.ToLowerInvariant();
            foreach (var c in normalized)
            {
                if (!(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.'))
                {
                    throw new ArgumentException($"Metadata key '{key}' has '{c}'; gRPC allows only 0-9 a-z _ - .", nameof(key));
                }
            }

            return normalized;
        }
    }
}
