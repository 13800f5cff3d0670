using FastLoss.Serialization.Protobuf;

namespace FastLoss.Serialization.OnnxProto;

/// <summary>onnx.TypeProto holding a tensor type (TypeProto.Tensor): an element type and a shape.</summary>
internal sealed class TypeProto(TensorElementType elementType, TensorShapeProto shape) : ProtobufMessage
{
    private const int TensorTypeField = 1;

    private readonly TensorType _tensorType = new(elementType, shape);

    public override void WriteFields(ref ProtobufWriter writer) => writer.WriteMessage(TensorTypeField, _tensorType);

    /// <summary>onnx.TypeProto.Tensor.</summary>
    private sealed class TensorType(TensorElementType elementType, TensorShapeProto shape) : ProtobufMessage
    {
        private const int ElemTypeField = 1;
        private const int ShapeField = 2;

        public override void WriteFields(ref ProtobufWriter writer)
        {
            writer.WriteInt64(ElemTypeField, (int)elementType);
            writer.WriteMessage(ShapeField, shape);
        }
    }
}
