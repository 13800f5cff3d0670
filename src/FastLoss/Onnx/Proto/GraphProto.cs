using FastLoss.Serialization.Protobuf;

namespace FastLoss.Serialization.OnnxProto;

/// <summary>onnx.GraphProto: nodes in topological order, the weights as initializers, and the graph's inputs and outputs.</summary>
internal sealed class GraphProto(
    string name, IReadOnlyList<NodeProto> nodes, IReadOnlyList<TensorProto> initializers,
    IReadOnlyList<ValueInfoProto> inputs, IReadOnlyList<ValueInfoProto> outputs) : ProtobufMessage
{
    private const int NodeField = 1;
    private const int NameField = 2;
    private const int InitializerField = 5;
    private const int InputField = 11;
    private const int OutputField = 12;

    public override void WriteFields(ref ProtobufWriter writer)
    {
        writer.WriteMessages(NodeField, nodes);
        writer.WriteString(NameField, name);
        writer.WriteMessages(InitializerField, initializers);
        writer.WriteMessages(InputField, inputs);
        writer.WriteMessages(OutputField, outputs);
    }
}
