using System.Globalization;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// CosineEmbeddingLoss, the first row-wise declaration, against libtorch: (N, D) inputs with D across every vector
/// tail and unbatched (D) ones, margins of either sign, targets 1, -1 and neither, rows that are equal, opposite or
/// zero; values and both inputs' gradients through the module and the span functions, for every reduction; torch's
/// shape errors. Tolerances: 1e-5 relative, 1e-6 absolute times |x2| / |x1| (the cosine's gradient scale).
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class CosineEmbeddingLossParityTests
{
    public static TheoryData<int[], Reduction, float> Cases()
    {
        var cases = new TheoryData<int[], Reduction, float>();
        foreach (Reduction reduction in (Reduction[])[Reduction.None, Reduction.Sum, Reduction.Mean])
        {
            foreach (int[] shape in (int[][])[[1, 1], [4, 5], [7, 17], [9, 33], [33, 64], [3, 300], [10], [0, 4]])
            {
                cases.Add(shape, reduction, 0f);
            }

            cases.Add([16, 31], reduction, 0.5f);
            cases.Add([16, 8], reduction, -0.3f);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_torch(int[] shape, Reduction reduction, float margin)
    {
        var data = new ParityData(ElementwiseParity.Seed(shape, reduction));
        int n = TensorShape.ElementCount(shape);
        int rows = shape.Length == 1 ? 1 : shape[0];
        int features = shape[^1];
        float[] x1 = data.Uniform(n, -2f, 2f), x2 = data.Uniform(n, -2f, 2f), y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            y[r] = r % 5 == 4 ? 0.5f : data.Uniform(0f, 1f) < 0.5f ? -1f : 1f;
            for (int j = 0; j < features; j++)
            {
                int i = (r * features) + j;
                x2[i] = (r % 6) switch
                {
                    1 => x1[i],       // cos = 1
                    2 => -x1[i],      // cos = -1
                    3 => 0f,          // a zero row: the 1e-12 keeps it finite
                    _ => x2[i],
                };
            }
        }

        int[] targetShape = shape.Length == 1 ? [] : [rows];
        float[] upstream = data.Uniform(reduction == Reduction.None ? rows : 1, -2f, 2f);
        float[] value, grad1, grad2;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor a = TorchConvert.ToTorch(x1, shape, requiresGrad: true);
            torch.Tensor b = TorchConvert.ToTorch(x2, shape, requiresGrad: true);
            torch.Tensor t = TorchConvert.ToTorch(y, targetShape);
            torch.Tensor loss = torch.nn.functional.cosine_embedding_loss(a, b, t, margin, ElementwiseParity.ToTorch(reduction));
            loss.backward([reduction == Reduction.None && targetShape.Length > 0 ? TorchConvert.ToTorch(upstream, targetShape) : torch.tensor(upstream[0])]);
            value = TorchConvert.ToArray(loss);
            grad1 = TorchConvert.ToArray(a.grad!);
            grad2 = TorchConvert.ToArray(b.grad!);
        }

        string what = string.Create(CultureInfo.InvariantCulture, $"CosineEmbeddingLoss(margin={margin}) {reduction} {TensorShape.Format(shape)}");
        float[] scale1 = GradientScale(x1, x2, rows, features), scale2 = GradientScale(x2, x1, rows, features);
        for (int i = 0; i < n; i++)
        {
            float u = reduction == Reduction.None ? Math.Abs(upstream[i / features]) : Math.Abs(upstream[0]) / (reduction == Reduction.Mean ? rows : 1);
            scale1[i] *= u;
            scale2[i] *= u;
        }

        var input1 = Tensor.FromValues(x1, shape);
        var input2 = Tensor.FromValues(x2, shape);
        input1.RequiresGrad = input2.RequiresGrad = true;
        Tensor result = new CosineEmbeddingLoss(margin, reduction).Forward(input1, input2, targetShape.Length == 0 ? Tensor.Scalar(y[0]) : Tensor.FromValues(y, targetShape));
        Closeness.AssertClose(value, result.Span, 1e-5, 2e-6, what + " module value");
        result.Backward(reduction == Reduction.None && targetShape.Length > 0 ? Tensor.FromValues(upstream, targetShape) : Tensor.Scalar(upstream[0]));
        Closeness.AssertClose(grad1, input1.Grad!.Span, 1e-5, 1e-6, what + " input1 gradient", scale1);
        Closeness.AssertClose(grad2, input2.Grad!.Span, 1e-5, 1e-6, what + " input2 gradient", scale2);

        if (reduction != Reduction.None)
        {
            float[] g1 = new float[n], g2 = new float[n];
            float fused = CosineEmbedding.ForwardBackward(x1, x2, y, g1, g2, reduction, margin);
            Closeness.AssertClose(value[0], fused, 1e-5, 2e-6, what + " ForwardBackward value");
            for (int i = 0; i < n; i++)
            {
                g1[i] *= upstream[0];
                g2[i] *= upstream[0];
            }

            Closeness.AssertClose(grad1, g1, 1e-5, 1e-6, what + " ForwardBackward input1", scale1);
            Closeness.AssertClose(grad2, g2, 1e-5, 1e-6, what + " ForwardBackward input2", scale2);
        }
    }

    [Fact]
    public void Shape_errors_are_torchs()
    {
        var loss = new CosineEmbeddingLoss();
        string Message(int[] a, int[] b, int[] t)
        {
            using var scope = torch.NewDisposeScope();
            string torchMessage = Assert.ThrowsAny<Exception>(() => torch.nn.functional.cosine_embedding_loss(
                torch.ones(a.Select(v => (long)v).ToArray()), torch.ones(b.Select(v => (long)v).ToArray()), torch.ones(t.Select(v => (long)v).ToArray()))).Message.Split('\n')[0];
            var exception = Assert.ThrowsAny<ArgumentException>(() => loss.Forward(
                Tensor.FromValues(new float[TensorShape.ElementCount(a)], a), Tensor.FromValues(new float[TensorShape.ElementCount(b)], b), t.Length == 0 ? Tensor.Scalar(0f) : Tensor.FromValues(new float[TensorShape.ElementCount(t)], t)));
            Assert.StartsWith(torchMessage, exception.Message, StringComparison.Ordinal);
            return torchMessage;
        }

        Message([4], [4], [1]);
        Message([2, 4], [2, 4], []);
        Message([2, 4], [2, 4], [2, 1]);
        Message([2, 4], [2, 3], [2]);
        Message([2, 4], [2, 4], [3]);
    }

    /// <summary>d cos / d x is about |other| / (|x| |other|) = 1 / |x| per element: the rounding scale of row r's gradient.</summary>
    private static float[] GradientScale(float[] x, float[] other, int rows, int features)
    {
        var scale = new float[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double normX = 0, normOther = 0;
            for (int j = 0; j < features; j++)
            {
                normX += x[(r * features) + j] * (double)x[(r * features) + j];
                normOther += other[(r * features) + j] * (double)other[(r * features) + j];
            }

            float value = (float)(Math.Sqrt(normOther + 1e-12) / Math.Sqrt((normX + 1e-12) * (normOther + 1e-12)));
            for (int j = 0; j < features; j++)
            {
                scale[(r * features) + j] = 1f + value;
            }
        }

        return scale;
    }
}
