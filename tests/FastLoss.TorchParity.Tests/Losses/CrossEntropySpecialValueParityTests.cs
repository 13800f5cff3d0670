using FastLoss.Functional;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// Cross-entropy over rows of special logits against libtorch's cross_entropy: a NaN, +inf (at the target and
/// elsewhere), a row of -inf, -inf at the target and elsewhere, logits near float's maximum, and ignored rows that
/// hold NaN or +inf (torch gives an ignored entry the gradient 0 - softmax * 0, which is NaN across a row whose
/// softmax is NaN). Loss per entry or reduced, and the gradient, element by element, through the module and
/// the span functions; class-major (N, C) and strided (N, C, d) layouts; 5 classes (vector tails only) and 37
/// (full vectors and a tail); with and without class weights and label smoothing.
/// Tolerance: relative 1e-5, absolute 1e-6; NaN matches NaN and an infinity the same infinity.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class CrossEntropySpecialValueParityTests
{
    private const double Relative = 1e-5;
    private const double Absolute = 1e-6;
    private const long Ignored = -100;

    /// <summary>Rows: special logits at given classes over ordinary ones, and the row's target.</summary>
    private static readonly (float[] Specials, int[] At, long Target)[] Rows =
    [
        ([], [], 2),
        ([float.NaN], [1], 1),
        ([float.PositiveInfinity], [3], 3),
        ([float.PositiveInfinity], [3], 0),
        ([float.PositiveInfinity, float.PositiveInfinity], [0, 2], 0),
        ([float.NegativeInfinity], [4], 0),
        ([float.NegativeInfinity], [4], 4),
        ([3e38f, -3e38f], [0, 1], 1),
        ([float.MaxValue, float.MaxValue], [0, 2], 0),
        ([-float.MaxValue], [2], 3),
        ([float.Epsilon, -0f], [0, 1], 0),
        ([], [], Ignored),
        ([float.NaN], [2], Ignored),
        ([float.PositiveInfinity], [0], Ignored),
        ([float.NegativeInfinity], [1], Ignored),
    ];

    public static TheoryData<int, bool, bool, float, Reduction> Cases()
    {
        var cases = new TheoryData<int, bool, bool, float, Reduction>();
        foreach (int classes in new[] { 5, 37 })
        {
            foreach (bool strided in new[] { false, true })
            {
                foreach (bool weighted in new[] { false, true })
                {
                    foreach (float smoothing in new[] { 0f, 0.1f })
                    {
                        foreach (Reduction reduction in new[] { Reduction.None, Reduction.Sum, Reduction.Mean })
                        {
                            cases.Add(classes, strided, weighted, smoothing, reduction);
                        }
                    }
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Special_logits_give_torchs_losses_and_gradients(int classes, bool strided, bool weighted, float smoothing, Reduction reduction)
    {
        // Strided: the 15 rows are the 3 x 5 positions of an (N=3, C, d=5) input; otherwise an (N=15, C) input.
        int[] shape = strided ? [3, classes, 5] : [Rows.Length, classes];
        int[] entryShape = strided ? [3, 5] : [Rows.Length];
        var data = new ParityData(100 + classes + (strided ? 1 : 0));
        float[] logits = Logits(classes, strided, data);
        long[] targets = new long[Rows.Length];
        for (int r = 0; r < Rows.Length; r++)
        {
            targets[r] = Rows[r].Target;
        }

        float[]? weight = weighted ? data.Uniform(classes, 0.25f, 3f) : null;
        float[] upstream = reduction == Reduction.None ? data.Uniform(Rows.Length, -2f, 2f) : [1.75f];
        string what = $"C={classes} {(strided ? "(N, C, d)" : "(N, C)")} weighted={weighted} smoothing={smoothing} {reduction}";

        // torch
        using var scope = torch.NewDisposeScope();
        torch.Tensor x = TorchConvert.ToTorch(logits, shape, requiresGrad: true);
        torch.Tensor? w = weight is null ? null : TorchConvert.ToTorch(weight, [classes]);
        torch.Tensor value = torch.nn.functional.cross_entropy(
            x, TorchClassification.Indices(targets, entryShape), w, Ignored, ElementwiseParity.ToTorch(reduction), smoothing);
        value.backward([reduction == Reduction.None ? TorchConvert.ToTorch(upstream, entryShape) : torch.tensor(upstream[0])]);
        float[] torchValue = TorchConvert.ToArray(value), torchGrad = TorchConvert.ToArray(x.grad!);

        // The module, through the autograd.
        var input = Tensor.FromValues(logits, shape);
        input.RequiresGrad = true;
        var loss = new FastLoss.NN.CrossEntropyLoss(weight is null ? null : Tensor.FromValues(weight), Ignored, reduction, smoothing);
        Tensor mine = loss.Forward(input, IndexTensor.FromValues(targets, entryShape));
        mine.Backward(reduction == Reduction.None ? Tensor.FromValues(upstream, entryShape) : Tensor.Scalar(upstream[0]));
        Closeness.AssertClose(torchValue, mine.Span, Relative, Absolute, $"{what}: module loss");
        Closeness.AssertClose(torchGrad, input.Grad!.Span, Relative, Absolute, $"{what}: module gradient");

        // The span functions.
        var layout = ClassLayout.ForLossInput(shape);
        var options = new CrossEntropyOptions { Weight = weight, IgnoreIndex = Ignored, LabelSmoothing = smoothing };
        float[] grad = new float[logits.Length];
        grad.AsSpan().Fill(12345f);
        if (reduction == Reduction.None)
        {
            float[] values = new float[Rows.Length];
            CrossEntropy.ForwardNone(logits, layout, targets, values, options);
            CrossEntropy.BackwardNone(logits, layout, targets, upstream, grad, options);
            Closeness.AssertClose(torchValue, values, Relative, Absolute, $"{what}: ForwardNone");
            Closeness.AssertClose(torchGrad, grad, Relative, Absolute, $"{what}: BackwardNone");
        }
        else
        {
            float reduced = CrossEntropy.Forward(logits, layout, targets, options, reduction);
            CrossEntropy.Backward(logits, layout, targets, grad, options, reduction, upstream[0]);
            Closeness.AssertClose(torchValue[0], reduced, Relative, Absolute, $"{what}: Forward");
            Closeness.AssertClose(torchGrad, grad, Relative, Absolute, $"{what}: Backward");
        }
    }

    /// <summary>Ordinary logits in [-3, 3] with each row's specials at their classes, laid out as <paramref name="strided"/> says.</summary>
    private static float[] Logits(int classes, bool strided, ParityData data)
    {
        float[] rowMajor = data.Uniform(Rows.Length * classes, -3f, 3f);
        for (int r = 0; r < Rows.Length; r++)
        {
            for (int s = 0; s < Rows[r].Specials.Length; s++)
            {
                rowMajor[(r * classes) + Rows[r].At[s]] = Rows[r].Specials[s];
            }
        }

        if (!strided)
        {
            return rowMajor;
        }

        // Entry r is position (n, k) = (r / 5, r % 5) of the (3, C, 5) input; its class c is at n*C*5 + c*5 + k.
        float[] laidOut = new float[rowMajor.Length];
        for (int r = 0; r < Rows.Length; r++)
        {
            int n = r / 5, k = r % 5;
            for (int c = 0; c < classes; c++)
            {
                laidOut[(n * classes * 5) + (c * 5) + k] = rowMajor[(r * classes) + c];
            }
        }

        return laidOut;
    }
}
