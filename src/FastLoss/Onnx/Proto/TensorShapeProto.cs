using FastLoss.Serialization.Protobuf;

namespace FastLoss.Serialization.OnnxProto;

/// <summary>onnx.TensorShapeProto: each dimension a fixed size (dim_value) or a named one that varies (dim_param).</summary>
internal sealed class TensorShapeProto : ProtobufMessage
{
    private const int DimField = 1;

    private readonly Dimension[] _dims;

    /// <param name="dims">The sizes; the first is replaced by <paramref name="firstDimName"/> when that is given.</param>
    /// <param name="firstDimName">The name of a first dimension that varies (the batch), or null.</param>
    public TensorShapeProto(ReadOnlySpan<int> dims, string? firstDimName)
    {
        _dims = new Dimension[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            _dims[i] = i == 0 && firstDimName is not null ? new Dimension(0, firstDimName) : new Dimension(dims[i], null);
        }
    }

    public override void WriteFields(ref ProtobufWriter writer) => writer.WriteMessages(DimField, _dims);

    /// <summary>onnx.TensorShapeProto.Dimension: the oneof of dim_value and dim_param.</summary>
    private sealed class Dimension(long value, string? name) : ProtobufMessage
    {
        private const int DimValueField = 1;
        private const int DimParamField = 2;

        public override void WriteFields(ref ProtobufWriter writer)
        {
            if (name is null)
            {
                // A member of a oneof is written even at 0, so the reader knows which member is set.
                writer.WriteInt64(DimValueField, value);
            }
            else
            {
                writer.WriteString(DimParamField, name);
            }
        }
    }
}
