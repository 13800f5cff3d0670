namespace FastLoss.Serialization.Protobuf;

/// <summary>
/// A protocol-buffer message that writes its own fields. Its size (which a parent writes before it) is measured
/// once, by writing the fields into a counting writer, so a message must not change after it is built.
/// </summary>
internal abstract class ProtobufMessage
{
    private int _size = -1;

    /// <summary>The bytes of the message's fields (without a tag or length of its own).</summary>
    public int Size
    {
        get
        {
            if (_size < 0)
            {
                var counter = ProtobufWriter.Counter();
                WriteFields(ref counter);
                _size = counter.Position;
            }

            return _size;
        }
    }

    /// <summary>Writes the fields in field-number order, leaving out those at proto3's default.</summary>
    public abstract void WriteFields(ref ProtobufWriter writer);

    /// <summary>The message's encoding, as a top-level message is stored in a file.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        var writer = new ProtobufWriter(bytes);
        WriteFields(ref writer);
        return bytes;
    }
}
