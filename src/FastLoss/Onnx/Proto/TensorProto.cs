using FastLoss.Serialization.Protobuf;

namespace FastLoss.Serialization.OnnxProto;

/// <summary>onnx.TensorProto: a named constant (an initializer), its values as little-endian raw_data.</summary>
internal sealed class TensorProto : ProtobufMessage
{
    private const int DimsField = 1;
    private const int DataTypeField = 2;
    private const int NameField = 8;
    private const int RawDataField = 9;

    private readonly string _name;
    private readonly long[] _dims;
    private readonly TensorElementType _elementType;
    private readonly float[] _floats;
    private readonly long[] _int64s;

    private TensorProto(string name, ReadOnlySpan<int> dims, TensorElementType elementType, float[] floats, long[] int64s)
    {
        _name = name;
        _dims = new long[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            _dims[i] = dims[i];
        }

        _elementType = elementType;
        _floats = floats;
        _int64s = int64s;
    }

    /// <summary>A float32 tensor holding a copy of <paramref name="values"/>.</summary>
    public static TensorProto Float(string name, ReadOnlySpan<int> dims, ReadOnlySpan<float> values) => new(name, dims, TensorElementType.Float, values.ToArray(), []);

    /// <summary>A one-dimensional int64 tensor (a shape operand).</summary>
    public static TensorProto Int64(string name, params long[] values) => new(name, [values.Length], TensorElementType.Int64, [], values);

    public override void WriteFields(ref ProtobufWriter writer)
    {
        writer.WriteInt64s(DimsField, _dims);
        writer.WriteInt64(DataTypeField, (int)_elementType);
        writer.WriteString(NameField, _name);
        if (_elementType == TensorElementType.Float)
        {
            writer.WriteFloatBytes(RawDataField, _floats);
        }
        else
        {
            writer.WriteInt64Bytes(RawDataField, _int64s);
        }
    }
}
