using FastLoss.Functional;
using FastLoss.NN;

namespace FastLoss.Tests.Classification;

/// <summary>
/// The values PyTorch prints in the seed documents (docs/pytorch-semantics.md). Printed values have 4 decimals,
/// so the tolerance is 5e-5 absolute unless stated otherwise.
/// </summary>
public class ClassificationSeedTests
{
    private const double Printed = 5e-5;

    private static readonly float[] SeedInputs = [1, 2, 1, 3, 1, 3];

    [Fact]
    public void CrossEntropy_of_one_row_is_1_1019()
    {
        var loss = new CrossEntropyLoss();
        Tensor result = loss.Forward(Tensor.FromValues([0.1f, 0.2f, 0.3f], 1, 3), IndexTensor.FromValues([1L]));
        ClassificationData.AssertClose(1.1019, result.Item(), 0, Printed, "loss");
    }

    [Theory]
    [InlineData(Reduction.Sum, 1.5671)]
    [InlineData(Reduction.Mean, 0.5224)]
    public void CrossEntropy_reductions_match_the_seed(Reduction reduction, double expected)
    {
        var loss = new CrossEntropyLoss(reduction: reduction);
        Tensor result = loss.Forward(Tensor.FromValues(SeedInputs, 3, 2), IndexTensor.FromValues([0L, 1, 1]));
        ClassificationData.AssertClose(expected, result.Item(), 0, Printed, reduction.ToString());
    }

    [Fact]
    public void CrossEntropy_without_reduction_matches_the_seed()
    {
        var loss = new CrossEntropyLoss(reduction: Reduction.None);
        Tensor result = loss.Forward(Tensor.FromValues(SeedInputs, 3, 2), IndexTensor.FromValues([0L, 1, 1]));
        Assert.Equal([3], result.Shape.ToArray());
        ClassificationData.AssertAllClose([1.3133, 0.1269, 0.1269], result.Span, 0, Printed, "none");
    }

    [Fact]
    public void Weighted_cross_entropy_matches_the_seed_and_its_mean_divides_by_the_targets_weights()
    {
        Tensor weight = Tensor.FromValues([1f, 2f]);
        var none = new CrossEntropyLoss(weight, reduction: Reduction.None).Forward(Tensor.FromValues(SeedInputs, 3, 2), IndexTensor.FromValues([0L, 1, 1]));
        ClassificationData.AssertAllClose([1.3133, 0.2539, 0.2539], none.Span, 0, Printed, "none");
        float sum = new CrossEntropyLoss(weight, reduction: Reduction.Sum).Forward(Tensor.FromValues(SeedInputs, 3, 2), IndexTensor.FromValues([0L, 1, 1])).Item();
        float mean = new CrossEntropyLoss(weight).Forward(Tensor.FromValues(SeedInputs, 3, 2), IndexTensor.FromValues([0L, 1, 1])).Item();

        // The seed's weighted mean is (1.3133 + 2 * 0.2539) / (1 + 2 + 2); 1e-6 is float32 rounding of the same sum.
        ClassificationData.AssertClose(1.3133 + 0.2539 + 0.2539, sum, 0, 3 * Printed, "sum");
        ClassificationData.AssertClose(sum / 5.0, mean, 0, 1e-6, "mean = sum / 5");
    }

    [Fact]
    public void NllLoss_on_raw_inputs_with_unit_weights_matches_the_seed()
    {
        var loss = new NLLLoss(Tensor.FromValues([1f, 1f]), reduction: Reduction.None);
        Tensor result = loss.Forward(Tensor.FromValues(SeedInputs, 3, 2), IndexTensor.FromValues([0L, 1, 1]));
        Assert.Equal([-1f, -3f, -3f], result.ToArray());
        Assert.Equal(-7f, new NLLLoss(Tensor.FromValues([1f, 1f]), reduction: Reduction.Sum).Forward(Tensor.FromValues(SeedInputs, 3, 2), IndexTensor.FromValues([0L, 1, 1])).Item());
        ClassificationData.AssertClose(-7.0 / 3, new NLLLoss(Tensor.FromValues([1f, 1f])).Forward(Tensor.FromValues(SeedInputs, 3, 2), IndexTensor.FromValues([0L, 1, 1])).Item(), 0, 1e-6, "mean");
    }

    // The fourth seed prints a (3, 5) input with index targets [2, 0, 3] and a probability target, but no loss
    // values. The expected values below were computed in float64 from the printed (4-decimal) inputs, outside
    // this code base (log-softmax by max subtraction, then the torch formulas); 1e-5 absolute covers float32.
    private static readonly float[] FourthSeedInput =
    [
        1.0420f, -0.4564f, -0.2856f, 0.8285f, 0.1561f,
        -0.1080f, -0.0666f, 0.1174f, -0.2689f, 0.1834f,
        1.0693f, 0.7028f, 1.5643f, -0.0080f, 1.3160f,
    ];

    private static readonly float[] FourthSeedProbabilities =
    [
        0.2239f, 0.1132f, 0.4353f, 0.0853f, 0.1423f,
        0.3158f, 0.0500f, 0.0854f, 0.5009f, 0.0480f,
        0.0994f, 0.1691f, 0.2386f, 0.2697f, 0.2232f,
    ];

    [Fact]
    public void Fourth_seed_with_index_targets()
    {
        var x = Tensor.FromValues(FourthSeedInput, 3, 5);
        x.RequiresGrad = true;
        var y = IndexTensor.FromValues([2L, 0, 3]);
        Tensor none = new CrossEntropyLoss(reduction: Reduction.None).Forward(x, y);
        ClassificationData.AssertAllClose([2.3240670728, 1.7019751013, 2.6774878956], none.Span, 0, 1e-5, "none");
        Tensor mean = new CrossEntropyLoss().Forward(x, y);
        ClassificationData.AssertClose(2.2345100232, mean.Item(), 0, 1e-5, "mean");

        mean.Backward();
        double[] expectedGrad =
        [
            0.12306048, 0.02750247, -0.30070843, 0.09940237, 0.05074311,
            -0.27255898, 0.06334322, 0.07613955, 0.05174190, 0.08133431,
            0.06728620, 0.04663984, 0.11038289, -0.31042146, 0.08611254,
        ];
        ClassificationData.AssertAllClose(expectedGrad, x.Grad!.Span, 0, 1e-6, "grad");
    }

    [Fact]
    public void Fourth_seed_with_probability_targets()
    {
        var x = Tensor.FromValues(FourthSeedInput, 3, 5);
        var t = Tensor.FromValues(FourthSeedProbabilities, 3, 5);
        Tensor none = new CrossEntropyLoss(reduction: Reduction.None).Forward(x, t);
        ClassificationData.AssertAllClose([1.8882653528, 1.7474337489, 1.7795404156], none.Span, 0, 1e-5, "none");
        ClassificationData.AssertClose(1.8050798391, new CrossEntropyLoss().Forward(x, t).Item(), 0, 1e-5, "mean");
    }

    [Fact]
    public void Span_level_kernels_reproduce_the_seed()
    {
        var layout = new ClassLayout(3, 2, 1);
        Span<float> losses = stackalloc float[3];
        Span<float> grad = stackalloc float[6];
        CrossEntropy.ForwardBackwardNone(SeedInputs, layout, [0L, 1, 1], losses, grad);
        ClassificationData.AssertAllClose([1.3133, 0.1269, 0.1269], losses, 0, Printed, "none");
        ClassificationData.AssertClose(0.5224, CrossEntropy.ForwardBackward(SeedInputs, layout, [0L, 1, 1], grad), 0, Printed, "mean");
        ClassificationData.AssertClose(1.5671, CrossEntropy.Forward(SeedInputs, layout, [0L, 1, 1], reduction: Reduction.Sum), 0, Printed, "sum");
        float weightedMean = CrossEntropy.Forward(SeedInputs, layout, [0L, 1, 1], new CrossEntropyOptions { Weight = [1f, 2f] });
        ClassificationData.AssertClose((1.3133 + 0.2539 + 0.2539) / 5, weightedMean, 0, Printed, "weighted mean");

        Span<float> nll = stackalloc float[3];
        NllLoss.ForwardNone(SeedInputs, layout, [0L, 1, 1], nll, new NllLossOptions { Weight = [1f, 1f] });
        Assert.Equal([-1f, -3f, -3f], nll.ToArray());
    }
}
