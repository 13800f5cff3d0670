using FastLoss.Functional;
using FastLoss.NN;

namespace FastLoss.Tests;

/// <summary>The quick start of README.md, run as written, with the values its comments print.</summary>
public class ReadmeExamplesTests
{
    [Fact]
    public void The_quick_start_prints_the_seed_values()
    {
        FastLoss.Autograd.GradMode.ReleaseThreadResults();
        var inputs = Tensor.FromValues([1f, 2f, 3f], 1, 1, 1, 3);
        var targets = Tensor.FromValues([1f, 2f, 5f], 1, 1, 1, 3);
        Assert.Equal(0.6667f, new L1Loss().Forward(inputs, targets).Item(), 4);
        Assert.Equal(2f, new L1Loss(Reduction.Sum).Forward(inputs, targets).Item());
        Assert.Equal(1.3333f, new MSELoss().Forward(inputs, targets).Item(), 4);

        var x = Tensor.FromValues([0.1f, 0.2f, 0.3f], 1, 3);
        Assert.Equal(1.1019f, new CrossEntropyLoss().Forward(x, IndexTensor.FromValues([1L])).Item(), 4);

        inputs.RequiresGrad = true;
        new MSELoss().Forward(inputs, targets).Backward();
        Assert.Equal([0f, 0f, -4f / 3], inputs.Grad!.ToArray());

        float[] gradient = new float[3];
        float loss = MeanSquaredError.ForwardBackward([1f, 2f, 3f], [1f, 2f, 5f], gradient);
        Assert.Equal(1.3333f, loss, 4);
        Assert.Equal([0f, 0f, -4f / 3], gradient);
    }
}
