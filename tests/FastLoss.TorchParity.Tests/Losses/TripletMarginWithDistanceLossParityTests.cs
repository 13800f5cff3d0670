using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// TripletMarginWithDistanceLoss against libtorch: torch's default pairwise distance on (N, D) triplets, and a distance
/// of one's own (the squared Euclidean distance, written with each library's tensor operations) on unbatched
/// triplets, with and without swap, every reduction; values and the three inputs' gradients.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class TripletMarginWithDistanceLossParityTests
{
    [Theory]
    [InlineData(false, false, Reduction.Mean)]
    [InlineData(false, true, Reduction.Sum)]
    [InlineData(false, true, Reduction.None)]
    [InlineData(true, false, Reduction.Mean)]
    [InlineData(true, true, Reduction.Sum)]
    [InlineData(true, true, Reduction.None)]
    public void Matches_torch(bool ownDistance, bool swap, Reduction reduction)
    {
        int[] shape = ownDistance ? [13] : [8, 13];
        var data = new ParityData((ownDistance ? 1 : 0) + (swap ? 2 : 0) + (4 * (int)reduction));
        int n = TensorShape.ElementCount(shape);
        float[] a = data.Uniform(n, -1f, 1f), p = data.Uniform(n, -1f, 1f), ng = data.Uniform(n, -1f, 1f);
        int[] outputShape = reduction == Reduction.None && !ownDistance ? [8] : [];
        float[] upstream = data.Uniform(outputShape.Length == 0 ? 1 : 8, -2f, 2f);

        float[] value, ga, gp, gn;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor ta = TorchConvert.ToTorch(a, shape, requiresGrad: true);
            torch.Tensor tp = TorchConvert.ToTorch(p, shape, requiresGrad: true);
            torch.Tensor tn = TorchConvert.ToTorch(ng, shape, requiresGrad: true);
            Func<torch.Tensor, torch.Tensor, torch.Tensor>? distance = ownDistance ? (x, y) => (x - y).pow(2).sum() : null;
            torch.Tensor loss = torch.nn.functional.triplet_margin_with_distance_loss(ta, tp, tn, distance, 0.75, swap, ElementwiseParity.ToTorch(reduction));
            loss.backward([outputShape.Length > 0 ? TorchConvert.ToTorch(upstream, outputShape) : torch.tensor(upstream[0])]);
            value = TorchConvert.ToArray(loss);
            ga = TorchConvert.ToArray(ta.grad!);
            gp = TorchConvert.ToArray(tp.grad!);
            gn = TorchConvert.ToArray(tn.grad!);
        }

        var fa = Tensor.FromValues(a, shape);
        var fp = Tensor.FromValues(p, shape);
        var fn = Tensor.FromValues(ng, shape);
        fa.RequiresGrad = fp.RequiresGrad = fn.RequiresGrad = true;
        Func<Tensor, Tensor, Tensor>? own = ownDistance ? (x, y) => ((x - y) * (x - y)).Sum() : null;
        Tensor result = new TripletMarginWithDistanceLoss(own, 0.75f, swap, reduction).Forward(fa, fp, fn);
        Assert.Equal(outputShape, result.Shape.ToArray());
        Closeness.AssertClose(value, result.Span, 1e-5, 1e-5, "value");
        result.Backward(outputShape.Length > 0 ? Tensor.FromValues(upstream, outputShape) : Tensor.Scalar(upstream[0]));
        Closeness.AssertClose(ga, fa.Grad!.Span, 1e-5, 1e-5, "anchor gradient");
        Closeness.AssertClose(gp, fp.Grad!.Span, 1e-5, 1e-5, "positive gradient");
        Closeness.AssertClose(gn, fn.Grad!.Span, 1e-5, 1e-5, "negative gradient");
    }

    [Fact]
    public void A_margin_that_is_not_positive_is_refused_in_torchs_words()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new TripletMarginWithDistanceLoss(margin: 0f));
        Assert.StartsWith("TripletMarginWithDistanceLoss: expected margin to be greater than 0, got 0 instead", exception.Message, StringComparison.Ordinal);
    }
}
