using FastLoss.Serialization.Protobuf;

namespace FastLoss.Serialization.OnnxProto;

/// <summary>onnx.NodeProto: one operator of the default domain applied to named values, with its attributes.</summary>
internal sealed class NodeProto(
    string name, string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, IReadOnlyList<AttributeProto> attributes)
    : ProtobufMessage
{
    private const int InputField = 1;
    private const int OutputField = 2;
    private const int NameField = 3;
    private const int OpTypeField = 4;
    private const int AttributeField = 5;

    public override void WriteFields(ref ProtobufWriter writer)
    {
        writer.WriteStrings(InputField, inputs);
        writer.WriteStrings(OutputField, outputs);
        writer.WriteString(NameField, name);
        writer.WriteString(OpTypeField, opType);
        writer.WriteMessages(AttributeField, attributes);
    }
}
