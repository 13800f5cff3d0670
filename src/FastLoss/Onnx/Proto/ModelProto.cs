using FastLoss.Serialization.Protobuf;

namespace FastLoss.Serialization.OnnxProto;

/// <summary>onnx.ModelProto: the file's top-level message, a graph and the versions it is written for.</summary>
internal sealed class ModelProto(long irVersion, IReadOnlyList<OperatorSetIdProto> opsetImports, string producerName, string producerVersion, GraphProto graph)
    : ProtobufMessage
{
    // Field numbers of onnx.proto3.
    private const int IrVersionField = 1;
    private const int ProducerNameField = 2;
    private const int ProducerVersionField = 3;
    private const int GraphField = 7;
    private const int OpsetImportField = 8;

    public override void WriteFields(ref ProtobufWriter writer)
    {
        writer.WriteInt64(IrVersionField, irVersion);
        writer.WriteString(ProducerNameField, producerName);
        writer.WriteString(ProducerVersionField, producerVersion);
        writer.WriteMessage(GraphField, graph);
        writer.WriteMessages(OpsetImportField, opsetImports);
    }
}
