namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>
/// One test's data. Per-element options come in two forms: the broadcastable tensor torch and the
/// FastLoss modules take (<see cref="Weight"/>, shaped <see cref="WeightShape"/>), and the same values
/// expanded to the input's length for the span kernels (<see cref="ExpandedWeight"/>).
/// </summary>
internal sealed class LossInputs
{
    public LossInputs(int[] shape, float[] input, float[] target)
    {
        Shape = shape;
        Input = input;
        Target = target;
    }

    public int[] Shape { get; }

    public float[] Input { get; }

    public float[] Target { get; }

    public int Length => Input.Length;

    public float[]? Weight { get; private set; }

    public int[]? WeightShape { get; private set; }

    public float[]? ExpandedWeight { get; private set; }

    /// <summary>pos_weight: one value per entry of the last dimension (the class dimension).</summary>
    public float[]? PosWeight { get; private set; }

    public float[]? ExpandedPosWeight { get; private set; }

    /// <summary>
    /// A weight that broadcasts over the leading dimensions: shaped like the last dimension for inputs
    /// of rank 2 or more (so modules must broadcast it), like the input for 1-D inputs.
    /// </summary>
    public void AddWeight(ParityData data)
    {
        int last = Shape.Length == 0 ? 1 : Shape[^1];
        Weight = data.Uniform(last, 0.1f, 2f);
        WeightShape = Shape.Length <= 1 ? (int[])Shape.Clone() : [last];
        ExpandedWeight = ExpandLastDimension(Weight);
    }

    public void AddPosWeight(ParityData data)
    {
        int last = Shape.Length == 0 ? 1 : Shape[^1];
        PosWeight = data.Uniform(last, 0.25f, 4f);
        ExpandedPosWeight = ExpandLastDimension(PosWeight);
    }

    private float[] ExpandLastDimension(float[] perLast)
    {
        var expanded = new float[Length];
        for (int i = 0; i < expanded.Length; i++)
        {
            expanded[i] = perLast[i % perLast.Length];
        }

        return expanded;
    }
}
