using FastLoss.Serialization.Protobuf;

namespace FastLoss.Serialization.OnnxProto;

/// <summary>onnx.OperatorSetIdProto: an operator set and its version; the empty domain is ONNX's own ("ai.onnx").</summary>
internal sealed class OperatorSetIdProto(string domain, long version) : ProtobufMessage
{
    private const int DomainField = 1;
    private const int VersionField = 2;

    public override void WriteFields(ref ProtobufWriter writer)
    {
        if (domain.Length > 0)
        {
            writer.WriteString(DomainField, domain);
        }

        writer.WriteInt64(VersionField, version);
    }
}
