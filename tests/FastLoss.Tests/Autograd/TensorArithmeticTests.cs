using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Autograd;

/// <summary>Tensor arithmetic: values, gradients (against the derivatives by hand in float64), broadcasting of one element, errors.</summary>
public sealed class TensorArithmeticTests
{
    public TensorArithmeticTests() => GradMode.ReleaseThreadResults();

    [Fact]
    public void Elementwise_operations_give_torchs_values_and_gradients()
    {
        float[] av = [1.5f, -2f, 0.25f, 4f], bv = [0.5f, 3f, -1f, 2f];
        foreach (string op in new[] { "+", "-", "*", "/" })
        {
            var (a, b) = (Leaf(av), Leaf(bv));
            Tensor y = op switch { "+" => a + b, "-" => a - b, "*" => a * b, _ => a / b };
            y.Sum().Backward();
            for (int i = 0; i < av.Length; i++)
            {
                double x = av[i], z = bv[i];
                double value = op switch { "+" => x + z, "-" => x - z, "*" => x * z, _ => x / z };
                double da = op switch { "*" => z, "/" => 1 / z, _ => 1 };
                double db = op switch { "+" => 1, "-" => -1, "*" => x, _ => -x / (z * z) };
                Assert.Equal(value, y.Values[i], 6);
                Assert.Equal(da, a.Grad!.Values[i], 6);
                Assert.Equal(db, b.Grad!.Values[i], 6);
            }
        }
    }

    [Fact]
    public void A_zero_dim_tensor_broadcasts_and_gets_the_summed_gradient()
    {
        Tensor a = Leaf([1f, 2f, 3f]);
        Tensor s = Tensor.Scalar(2f);
        s.RequiresGrad = true;
        (a * s).Sum().Backward();
        Assert.Equal([2f, 2f, 2f], a.Grad!.ToArray());
        Assert.Equal(6f, s.Grad!.Item());

        Tensor c = Leaf([1f, 2f]);
        Tensor t = Tensor.Scalar(4f);
        t.RequiresGrad = true;
        (t - c).Sum().Backward();
        Assert.Equal([-1f, -1f], c.Grad!.ToArray());
        Assert.Equal(2f, t.Grad!.Item());
    }

    [Fact]
    public void Scalars_sum_mean_reshape_and_negation_have_their_gradients()
    {
        Tensor a = Leaf([1f, -2f, 4f, 8f]);
        Tensor y = ((((2f * a) + 1f) / 4f) - 0.5f).Reshape(2, 2).Mean() + (-a).Sum() + (1f / a).Sum() + (3f - a).Sum();
        y.Backward();
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++)
        {
            double x = a.Values[i];
            expected[i] = (float)((2.0 / 4 / 4) - 1 - (1 / (x * x)) - 1);
        }

        TestData.AssertClose(TestData.ToDouble(expected), a.Grad!.Values, 1e-6, 1e-6, "d/da");
        Assert.Equal((double)(((2 * 1f + 1) / 4 - 0.5f + ((2 * -2f + 1) / 4) - 0.5f + ((2 * 4f + 1) / 4) - 0.5f + ((2 * 8f + 1) / 4) - 0.5f) / 4) - 11 + (1 - 0.5 + 0.25 + 0.125) + (12 - 11), y.Item(), 5);
    }

    [Fact]
    public void Two_heads_on_one_trunk_add_their_losses_as_in_torch()
    {
        // loss = ce + 0.1 * mse: the trunk's gradient is the sum of the heads' (each computed alone on a twin).
        (Linear trunk, Linear classes, Linear values) Make() => (new Linear(4, 6, generator: new Generator(1)), new Linear(6, 3, generator: new Generator(2)), new Linear(6, 2, generator: new Generator(3)));
        Tensor x = TestData.Tensor(1, 5, 4), target = TestData.Tensor(2, 5, 2);
        IndexTensor labels = IndexTensor.FromValues([0L, 2, 1, 1, 0]);
        var ce = new CrossEntropyLoss();
        var mse = new MSELoss();

        var (trunk, classes, values) = Make();
        Tensor features = trunk.Forward(x);
        Tensor loss = ce.Forward(classes.Forward(features), labels) + (0.1f * mse.Forward(values.Forward(features), target));
        loss.Backward();

        var (t1, c1, _) = Make();
        ce.Forward(c1.Forward(t1.Forward(x)), labels).Backward();
        var (t2, _, v2) = Make();
        (0.1f * mse.Forward(v2.Forward(t2.Forward(x)), target)).Backward();
        for (int i = 0; i < trunk.Weight.Length; i++)
        {
            Assert.Equal(t1.Weight.Grad!.Values[i] + t2.Weight.Grad!.Values[i], trunk.Weight.Grad!.Values[i], 6);
        }

        Assert.Equal(c1.Weight.Grad!.ToArray(), classes.Weight.Grad!.ToArray());
        Assert.Equal(v2.Weight.Grad!.ToArray(), values.Weight.Grad!.ToArray());
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_are_refused_with_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(2, 2));
        Assert.Equal("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1", error.Message);
        error = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) * Tensor.Zeros(1, 3));
        Assert.Contains("torch.Size([2, 3]) and torch.Size([1, 3])", error.Message);
        Assert.Equal(0, GradMode.PendingNodes);
    }

    private static Tensor Leaf(float[] values)
    {
        Tensor t = Tensor.FromValues(values);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void ClampMin_is_torchs_value_and_gradient_the_boundary_passing()
    {
        var x = Tensor.FromValues([-1f, 0f, 2f, float.NaN], 4);
        x.RequiresGrad = true;
        Tensor y = x.ClampMin(0f);
        Assert.Equal(0f, y.Span[0]);
        Assert.Equal(0f, y.Span[1]);
        Assert.Equal(2f, y.Span[2]);
        Assert.True(float.IsNaN(y.Span[3]));

        // torch: clamp_min's gradient is grad where x >= min (0 at x = -1, 1 at the boundary, 0 at NaN).
        (y * 3f).Sum().Backward();
        Assert.Equal([0f, 3f, 3f, 0f], x.Grad!.ToArray());
        x.ClampMin(1f).Sum().Backward();
        Assert.Equal([0f, 3f, 4f, 0f], x.Grad!.ToArray());
    }
}
