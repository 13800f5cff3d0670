using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.NN;

public sealed class SequentialTests
{
    // Forward passes that are never differentiated leave nodes on this thread's tape; start each test clean.
    public SequentialTests() => FastLoss.Autograd.GradMode.ReleaseThreadResults();

    /// <summary>A parameter-free module defined outside the library: Sequential must accept any Module.</summary>
    private sealed class Doubling : Module
    {
        protected override Tensor ForwardCore(Tensor input) => 2f * input;
    }

    [Fact]
    public void The_seed_cnn_has_torchs_parameter_names_and_shapes_and_maps_images_to_ten_scores()
    {
        var model = Cifar10Cnn.Create();
        (string Name, int[] Shape)[] expected =
        [
            ("0.weight", [32, 3, 5, 5]), ("0.bias", [32]), ("2.weight", [32, 32, 5, 5]), ("2.bias", [32]),
            ("4.weight", [64, 32, 5, 5]), ("4.bias", [64]), ("7.weight", [64, 1024]), ("7.bias", [64]),
            ("8.weight", [10, 64]), ("8.bias", [10]),
        ];
        var named = model.NamedParameters();
        Assert.Equal(expected.Length, named.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Name, named[i].Name);
            Assert.Equal(expected[i].Shape, named[i].Parameter.Shape.ToArray());
            Assert.Same(named[i].Parameter, model.Parameters()[i]);
        }

        Assert.Equal(9, model.Count);
        Assert.IsType<Flatten>(model[6]);
        Assert.IsType<Linear>(model[-1]);
        Tensor y = model.Forward(TestData.Tensor(1, 2, 3, 32, 32));
        Assert.Equal([2, 10], y.Shape.ToArray());
    }

    [Fact]
    public void Any_module_can_be_chained_and_the_chain_is_the_composition()
    {
        var linear = new Linear(3, 3);
        var model = new Sequential(new Doubling(), linear);
        Tensor x = TestData.Tensor(2, 2, 3);
        Tensor y = model.Forward(x);
        double[] doubled = Array.ConvertAll(x.ToArray(), v => 2.0 * v);
        double[] expected = Reference.Linear(doubled, 2, 3, TestData.ToDouble(linear.Weight.Span), TestData.ToDouble(linear.Bias!.Span), 3);
        TestData.AssertClose(expected, y.Span, 1e-5, 1e-5, "output");
        Assert.Equal(["1.weight", "1.bias"], model.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => model[2]);
    }

    [Fact]
    public void Flatten_is_a_view_whose_gradient_flows_back()
    {
        var flatten = new Flatten();
        Tensor x = TestData.Tensor(3, 2, 3, 2, 2);
        x.RequiresGrad = true;
        Tensor y = flatten.Forward(x);
        Assert.Equal([2, 12], y.Shape.ToArray());
        Assert.Equal(x.ToArray(), y.ToArray());
        float[] r = TestData.Uniform(24, 4);
        new WeightedSumLoss(r).Forward(y).Backward();
        Assert.Equal(r, x.Grad!.ToArray());
        Assert.Equal([2, 3, 4], new Flatten(2).Forward(x).Shape.ToArray());
        Assert.Equal([24], new Flatten(0).Forward(x).Shape.ToArray());
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new Flatten().Forward(Tensor.Zeros(3)));
        Assert.Contains("Dimension out of range (expected to be in range of [-1, 0], but got 1)", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_inside_a_sequential_names_the_module_index_and_type_and_keeps_its_type()
    {
        var model = new Sequential(new Linear(4, 3), new ReLU(), new Sequential(new Linear(3, 2), new Linear(5, 1)));
        var error = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(2, 4)));
        Assert.StartsWith("mat1 and mat2 shapes cannot be multiplied (2x2 and 5x1) (in Sequential module 1, Linear) (in Sequential module 2, Sequential)", error.Message);

        var pool = new Sequential(new Flatten(), new MaxPool2d(2));
        Assert.Contains("(in Sequential module 1, MaxPool2d)", Assert.Throws<ArgumentException>(() => pool.Forward(Tensor.Zeros(1, 2, 4, 4))).Message);
    }
}
