using System.Globalization;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// TripletMarginLoss, a row-wise declaration of three inputs and no target, against libtorch: p = 2 and 1 and the
/// general p-norm (3, 4, 1.5, 0.5), swap or not, margins, (N, D) inputs with D across every vector tail and unbatched (D) ones, every reduction; values and the
/// three inputs' gradients, through the module with inputs that come out of recorded operations; torch's shape error.
/// Tolerances: 1e-5 relative, 1e-6 absolute times the distances' size.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class TripletMarginLossParityTests
{
    public static TheoryData<int[], Reduction, float, bool, float> Cases()
    {
        var cases = new TheoryData<int[], Reduction, float, bool, float>();
        foreach (Reduction reduction in (Reduction[])[Reduction.None, Reduction.Sum, Reduction.Mean])
        {
            foreach (int[] shape in (int[][])[[1, 1], [4, 5], [7, 17], [9, 33], [16, 64], [10], [0, 4]])
            {
                cases.Add(shape, reduction, 2f, false, 1f);
            }

            cases.Add([12, 31], reduction, 2f, true, 0.5f);
            cases.Add([12, 31], reduction, 1f, false, 1f);
            cases.Add([12, 9], reduction, 1f, true, 2f);
            cases.Add([12, 31], reduction, 3f, false, 1f);
            cases.Add([9, 17], reduction, 3f, true, 0.5f);
            cases.Add([12, 33], reduction, 1.5f, true, 1f);
            cases.Add([7, 16], reduction, 0.5f, false, 4f);
            cases.Add([5], reduction, 4f, false, 1f);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_torch(int[] shape, Reduction reduction, float p, bool swap, float margin)
    {
        var data = new ParityData(ElementwiseParity.Seed(shape, reduction) + (swap ? 7 : 0) + (int)p);
        int n = TensorShape.ElementCount(shape);
        float[] a = data.Uniform(n, -1f, 1f), pos = data.Uniform(n, -1f, 1f), neg = data.Uniform(n, -1f, 1f);
        int rows = shape.Length == 1 ? 1 : shape[0];
        int[] outputShape = reduction == Reduction.None && shape.Length == 2 ? [rows] : [];
        float[] upstream = data.Uniform(outputShape.Length == 0 ? 1 : rows, -2f, 2f);

        float[] value, ga, gp, gn;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor ta = TorchConvert.ToTorch(a, shape, requiresGrad: true);
            torch.Tensor tp = TorchConvert.ToTorch(pos, shape, requiresGrad: true);
            torch.Tensor tn = TorchConvert.ToTorch(neg, shape, requiresGrad: true);
            torch.Tensor loss = TorchTriplet(ta * 2, tp * 2, tn * 2, margin, p, 1e-6, swap, reduction);
            loss.backward([outputShape.Length > 0 ? TorchConvert.ToTorch(upstream, outputShape) : torch.tensor(upstream[0])]);
            value = TorchConvert.ToArray(loss);
            ga = TorchConvert.ToArray(ta.grad!);
            gp = TorchConvert.ToArray(tp.grad!);
            gn = TorchConvert.ToArray(tn.grad!);
        }

        // The inputs pass through a recorded operation first, so the loss node links three producers.
        var fa = Tensor.FromValues(a, shape);
        var fp = Tensor.FromValues(pos, shape);
        var fn = Tensor.FromValues(neg, shape);
        fa.RequiresGrad = fp.RequiresGrad = fn.RequiresGrad = true;
        Tensor result = new TripletMarginLoss(margin, p, 1e-6f, swap, reduction).Forward(fa * 2f, fp * 2f, fn * 2f);
        Assert.Equal(outputShape, result.Shape.ToArray());
        string what = string.Create(CultureInfo.InvariantCulture, $"TripletMarginLoss(margin={margin}, p={p}, swap={swap}) {reduction} {TensorShape.Format(shape)}");
        int features = shape[^1];
        Closeness.AssertClose(value, result.Span, 1e-5, 1e-6 * (1 + (4 * features)), what + " value");
        result.Backward(outputShape.Length > 0 ? Tensor.FromValues(upstream, outputShape) : Tensor.Scalar(upstream[0]));
        // An input's gradient is a difference of its distances' gradients, so float32 rounds it relative to those terms:
        // at most 1 per element for p >= 1 (times the 2 of the input's scaling), and as large as torch's positive and
        // negative gradients (each one distance's) for p < 1, where |x|^(p - 1) grows without bound.
        float[] scale = new float[n];
        float bound = 2f * (1f + upstream.Select(Math.Abs).DefaultIfEmpty(0f).Max());
        for (int i = 0; i < n; i++)
        {
            scale[i] = Math.Max(bound, Math.Abs(gp[i]) + Math.Abs(gn[i]) + Math.Abs(ga[i]));
        }

        Closeness.AssertClose(ga, fa.Grad!.Span, 1e-5, 1e-6, what + " anchor gradient", scale);
        Closeness.AssertClose(gp, fp.Grad!.Span, 1e-5, 1e-6, what + " positive gradient", scale);
        Closeness.AssertClose(gn, fn.Grad!.Span, 1e-5, 1e-6, what + " negative gradient", scale);
    }

    /// <summary>
    /// Rows where torch's gradient rules decide at a boundary: a distance of exactly 0 (anchor 0 and positive eps, so
    /// a - p + eps is 0), where the norm's backward gives 0 and sqrt's would give NaN; and, under swap, a tie of
    /// d(a, n) and d(p, n) (anchor equal to positive), where torch's minimum splits the gradient in half.
    /// </summary>
    [Theory]
    [InlineData(2f, false)]
    [InlineData(2f, true)]
    [InlineData(1f, true)]
    [InlineData(3f, true)]
    [InlineData(0.5f, true)]
    public void Matches_torch_at_a_zero_distance_and_at_a_swap_tie(float p, bool swap)
    {
        const int rows = 3, features = 19;
        int[] shape = [rows, features];
        var data = new ParityData(4242 + (int)p + (swap ? 1 : 0));
        float[] a = data.Uniform(rows * features, -1f, 1f), pos = (float[])a.Clone(), noise = data.Uniform(rows * features, -Spread(p), Spread(p));
        for (int i = 0; i < features; i++)
        {
            // Row 0: a distance of exactly 0 between anchor and positive (rows 1 and 2: anchor equal to positive).
            a[i] = 0f;
            pos[i] = 1e-6f;
        }

        // The negatives lie close to the anchors, so every row is inside the margin and passes its gradient on (a norm
        // below 1 grows fast with the row's length, so its noise is smaller).
        static float Spread(float norm) => norm < 1f ? 1e-4f : 0.01f;
        float[] neg = [.. a.Select((v, i) => v + noise[i])];

        float[] value, ga, gp, gn;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor ta = TorchConvert.ToTorch(a, shape, requiresGrad: true);
            torch.Tensor tp = TorchConvert.ToTorch(pos, shape, requiresGrad: true);
            torch.Tensor tn = TorchConvert.ToTorch(neg, shape, requiresGrad: true);
            torch.Tensor loss = TorchTriplet(ta, tp, tn, 1f, p, 1e-6, swap, Reduction.Sum);
            loss.backward();
            value = TorchConvert.ToArray(loss);
            ga = TorchConvert.ToArray(ta.grad!);
            gp = TorchConvert.ToArray(tp.grad!);
            gn = TorchConvert.ToArray(tn.grad!);
        }

        var fa = Tensor.FromValues(a, shape);
        var fp = Tensor.FromValues(pos, shape);
        var fn = Tensor.FromValues(neg, shape);
        fa.RequiresGrad = fp.RequiresGrad = fn.RequiresGrad = true;
        Tensor result = new TripletMarginLoss(1f, p, 1e-6f, swap, Reduction.Sum).Forward(fa, fp, fn);
        result.Backward();
        string what = string.Create(CultureInfo.InvariantCulture, $"TripletMarginLoss(p={p}, swap={swap}) at boundaries");
        Closeness.AssertClose(value, result.Span, 1e-5, 1e-5, what + " value");
        Assert.True(value[0] > 3 * 0.5f, "every row is inside the margin");
        Assert.All(fa.Grad!.ToArray(), g => Assert.True(float.IsFinite(g), "a gradient is not finite"));
        Closeness.AssertClose(ga, fa.Grad!.Span, 1e-5, 1e-6, what + " anchor gradient");
        Closeness.AssertClose(gp, fp.Grad!.Span, 1e-5, 1e-6, what + " positive gradient");
        Closeness.AssertClose(gn, fn.Grad!.Span, 1e-5, 1e-6, what + " negative gradient");
    }

    /// <summary>
    /// torch's triplet_margin_loss; TorchSharp binds its p as an integer, so a fractional p runs torch's definition in
    /// torch ops: pairwise distances, minimum under swap, clamp_min, the reduction.
    /// </summary>
    private static torch.Tensor TorchTriplet(torch.Tensor a, torch.Tensor p, torch.Tensor n, double margin, float norm, double eps, bool swap, Reduction reduction)
    {
        if (norm == MathF.Round(norm))
        {
            return torch.nn.functional.triplet_margin_loss(a, p, n, margin, (long)norm, eps, swap, ElementwiseParity.ToTorch(reduction));
        }

        torch.Tensor positive = torch.nn.functional.pairwise_distance(a, p, norm, eps);
        torch.Tensor negative = torch.nn.functional.pairwise_distance(a, n, norm, eps);
        if (swap)
        {
            negative = torch.minimum(negative, torch.nn.functional.pairwise_distance(p, n, norm, eps));
        }

        torch.Tensor loss = torch.clamp_min(margin + positive - negative, 0);
        return reduction switch
        {
            Reduction.None => loss,
            Reduction.Sum => loss.sum(),
            _ => loss.mean(),
        };
    }

    [Fact]
    public void Inputs_of_different_ranks_are_refused_in_torchs_words()
    {
        var exception = Assert.Throws<ArgumentException>(() => new TripletMarginLoss().Forward(
            Tensor.FromValues(new float[6], 2, 3), Tensor.FromValues(new float[3], 3), Tensor.FromValues(new float[6], 2, 3)));
        Assert.StartsWith("The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor 2D, positive 1D, and negative 2D inputs", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TripletMarginLoss(p: 0f));
    }
}
