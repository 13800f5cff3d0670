namespace FastLoss.Serialization.OnnxProto;

/// <summary>The values of onnx.TensorProto.DataType the export writes.</summary>
internal enum TensorElementType
{
    Float = 1,
    Int64 = 7,
}
