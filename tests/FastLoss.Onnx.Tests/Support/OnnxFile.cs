using System.Text;
using FastLoss.Tests.Shared;

namespace FastLoss.OnnxTests.Support;

/// <summary>A node as stored: its attributes are the INT and INTS ones (an INT read as a list of one).</summary>
internal sealed record OnnxNode(string Name, string OpType, List<string> Inputs, List<string> Outputs, Dictionary<string, long[]> Attributes);

/// <summary>An initializer as stored: dims, data type and raw_data bytes.</summary>
internal sealed record OnnxInitializer(string Name, long[] Dims, long DataType, byte[] RawData);

/// <summary>A graph input or output: element type and dims, each a number or the name of a dimension that varies.</summary>
internal sealed record OnnxValueInfo(string Name, long ElementType, List<string> Dims);

/// <summary>
/// An exported model decoded with the generic protobuf reader, by the field numbers of onnx.proto3 (not by the
/// writer's code): what ONNX Runtime does not report, such as the IR version, the operator sets, the initializers'
/// names and bytes, and the nodes' names.
/// </summary>
internal sealed record OnnxFile(
    long IrVersion, List<(string Domain, long Version)> Opsets, string ProducerName, string GraphName,
    List<OnnxNode> Nodes, List<OnnxInitializer> Initializers, List<OnnxValueInfo> Inputs, List<OnnxValueInfo> Outputs)
{
    public static OnnxFile Read(string path)
    {
        long irVersion = 0;
        string producer = "", graphName = "";
        var opsets = new List<(string, long)>();
        var nodes = new List<OnnxNode>();
        var initializers = new List<OnnxInitializer>();
        var inputs = new List<OnnxValueInfo>();
        var outputs = new List<OnnxValueInfo>();
        foreach (ProtobufField field in ProtobufFields.Read(File.ReadAllBytes(path)))
        {
            switch (field.Number)
            {
                case 1: irVersion = (long)field.Varint; break;
                case 2: producer = Text(field); break;
                case 3: break; // producer_version
                case 7:
                    foreach (ProtobufField graphField in ProtobufFields.Read(field.Bytes))
                    {
                        switch (graphField.Number)
                        {
                            case 1: nodes.Add(ReadNode(graphField.Bytes)); break;
                            case 2: graphName = Text(graphField); break;
                            case 5: initializers.Add(ReadInitializer(graphField.Bytes)); break;
                            case 11: inputs.Add(ReadValueInfo(graphField.Bytes)); break;
                            case 12: outputs.Add(ReadValueInfo(graphField.Bytes)); break;
                            default: Assert.Fail($"unexpected GraphProto field {graphField.Number}"); break;
                        }
                    }

                    break;
                case 8:
                    string domain = "";
                    long version = 0;
                    foreach (ProtobufField opsetField in ProtobufFields.Read(field.Bytes))
                    {
                        if (opsetField.Number == 1)
                        {
                            domain = Text(opsetField);
                        }
                        else
                        {
                            Assert.Equal(2, opsetField.Number);
                            version = (long)opsetField.Varint;
                        }
                    }

                    opsets.Add((domain, version));
                    break;
                default: Assert.Fail($"unexpected ModelProto field {field.Number}"); break;
            }
        }

        return new OnnxFile(irVersion, opsets, producer, graphName, nodes, initializers, inputs, outputs);
    }

    private static OnnxNode ReadNode(byte[] bytes)
    {
        string name = "", opType = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (ProtobufField field in ProtobufFields.Read(bytes))
        {
            switch (field.Number)
            {
                case 1: inputs.Add(Text(field)); break;
                case 2: outputs.Add(Text(field)); break;
                case 3: name = Text(field); break;
                case 4: opType = Text(field); break;
                case 5:
                    (string attributeName, long[] values) = ReadAttribute(field.Bytes);
                    attributes.Add(attributeName, values);
                    break;
                default: Assert.Fail($"unexpected NodeProto field {field.Number}"); break;
            }
        }

        return new OnnxNode(name, opType, inputs, outputs, attributes);
    }

    /// <summary>An INT (type 2, field i) or INTS (type 7, field ints, packed or not) attribute.</summary>
    private static (string, long[]) ReadAttribute(byte[] bytes)
    {
        string name = "";
        long type = 0;
        var values = new List<long>();
        foreach (ProtobufField field in ProtobufFields.Read(bytes))
        {
            switch (field.Number)
            {
                case 1: name = Text(field); break;
                case 3: values.Add((long)field.Varint); break;
                case 8: values.AddRange(Int64s(field)); break;
                case 20: type = (long)field.Varint; break;
                default: Assert.Fail($"unexpected AttributeProto field {field.Number}"); break;
            }
        }

        Assert.True(type is 2 or 7, $"attribute {name} has type {type}, not INT or INTS");
        Assert.True(type == 7 || values.Count == 1, $"INT attribute {name} holds {values.Count} values");
        return (name, values.ToArray());
    }

    private static OnnxInitializer ReadInitializer(byte[] bytes)
    {
        string name = "";
        long dataType = 0;
        var dims = new List<long>();
        byte[] raw = [];
        foreach (ProtobufField field in ProtobufFields.Read(bytes))
        {
            switch (field.Number)
            {
                case 1: dims.AddRange(Int64s(field)); break;
                case 2: dataType = (long)field.Varint; break;
                case 8: name = Text(field); break;
                case 9: raw = field.Bytes; break;
                default: Assert.Fail($"unexpected TensorProto field {field.Number}"); break;
            }
        }

        return new OnnxInitializer(name, dims.ToArray(), dataType, raw);
    }

    private static OnnxValueInfo ReadValueInfo(byte[] bytes)
    {
        string name = "";
        long elementType = 0;
        var dims = new List<string>();
        foreach (ProtobufField field in ProtobufFields.Read(bytes))
        {
            if (field.Number == 1)
            {
                name = Text(field);
                continue;
            }

            Assert.Equal(2, field.Number); // type
            ProtobufField tensorType = Assert.Single(ProtobufFields.Read(field.Bytes));
            Assert.Equal(1, tensorType.Number); // tensor_type
            foreach (ProtobufField typeField in ProtobufFields.Read(tensorType.Bytes))
            {
                if (typeField.Number == 1)
                {
                    elementType = (long)typeField.Varint;
                    continue;
                }

                Assert.Equal(2, typeField.Number); // shape
                foreach (ProtobufField dim in ProtobufFields.Read(typeField.Bytes))
                {
                    ProtobufField value = Assert.Single(ProtobufFields.Read(dim.Bytes));
                    dims.Add(value.Number == 1 ? ((long)value.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture) : Text(value));
                }
            }
        }

        return new OnnxValueInfo(name, elementType, dims);
    }

    /// <summary>A repeated int64 field's values: one varint, or a packed run of them.</summary>
    private static IEnumerable<long> Int64s(ProtobufField field)
    {
        if (field.WireType == 0)
        {
            return [(long)field.Varint];
        }

        return ProtobufFields.PackedVarints(field.Bytes).Select(value => (long)value);
    }

    private static string Text(ProtobufField field)
    {
        Assert.Equal(2, field.WireType);
        return Encoding.UTF8.GetString(field.Bytes);
    }
}
