using FastLoss.Serialization.Protobuf;

namespace FastLoss.Serialization.OnnxProto;

/// <summary>onnx.AttributeProto, of the two kinds the exported operators take: one integer, or a list of them.</summary>
internal sealed class AttributeProto : ProtobufMessage
{
    private const int NameField = 1;
    private const int IntField = 3;
    private const int IntsField = 8;
    private const int TypeField = 20;

    // AttributeProto.AttributeType.
    private const int TypeInt = 2;
    private const int TypeInts = 7;

    private readonly string _name;
    private readonly long _value;
    private readonly long[]? _values;

    private AttributeProto(string name, long value, long[]? values)
    {
        _name = name;
        _value = value;
        _values = values;
    }

    /// <summary>An INT attribute.</summary>
    public static AttributeProto Int(string name, long value) => new(name, value, null);

    /// <summary>An INTS attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values) => new(name, 0, values);

    public override void WriteFields(ref ProtobufWriter writer)
    {
        writer.WriteString(NameField, _name);
        if (_values is null)
        {
            // Written even when 0: the type says which field holds the value, and a reader takes an absent one as 0.
            writer.WriteInt64(IntField, _value);
        }
        else
        {
            writer.WriteInt64s(IntsField, _values);
        }

        writer.WriteInt64(TypeField, _values is null ? TypeInt : TypeInts);
    }
}
