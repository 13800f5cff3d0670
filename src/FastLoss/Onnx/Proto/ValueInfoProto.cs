using FastLoss.Serialization.Protobuf;

namespace FastLoss.Serialization.OnnxProto;

/// <summary>onnx.ValueInfoProto: a graph input's or output's name and type.</summary>
internal sealed class ValueInfoProto(string name, TypeProto type) : ProtobufMessage
{
    private const int NameField = 1;
    private const int TypeField = 2;

    public override void WriteFields(ref ProtobufWriter writer)
    {
        writer.WriteString(NameField, name);
        writer.WriteMessage(TypeField, type);
    }
}
