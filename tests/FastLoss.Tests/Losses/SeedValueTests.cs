using FastLoss.Autograd;
using FastLoss.NN;

namespace FastLoss.Tests.Losses;

/// <summary>The values PyTorch prints in the seed tutorials, through the module API (4 decimals, as printed).</summary>
public class SeedValueTests
{
    private static Tensor SeedInput() => Tensor.FromValues([1f, 2f, 3f], 1, 1, 1, 3);

    private static Tensor SeedTarget() => Tensor.FromValues([1f, 2f, 5f], 1, 1, 1, 3);

    [Fact]
    public void L1Loss_of_the_seed_is_0_6667_and_its_sum_is_2()
    {
        Assert.Equal(0.6667f, new L1Loss().Forward(SeedInput(), SeedTarget()).Item(), 4);
        Assert.Equal(2f, new L1Loss(Reduction.Sum).Forward(SeedInput(), SeedTarget()).Item());
    }

    [Fact]
    public void MSELoss_of_the_seed_is_1_3333()
    {
        Assert.Equal(1.3333f, new MSELoss().Forward(SeedInput(), SeedTarget()).Item(), 4);
    }

    [Fact]
    public void BCELoss_of_the_seed_reproduces_the_printed_table()
    {
        float[] logits = [1, 2, 2, 2, 3, 4, 4, 5];
        float[] probabilities = new float[logits.Length];
        for (int i = 0; i < logits.Length; i++)
        {
            probabilities[i] = 1f / (1f + MathF.Exp(-logits[i]));
        }

        var input = Tensor.FromValues(probabilities, 4, 2);
        var target = Tensor.FromValues([1f, 0f, 1f, 0f, 0f, 1f, 0f, 1f], 4, 2);
        var loss = new BCELoss(reduction: Reduction.None).Forward(input, target);

        Assert.Equal([4, 2], loss.Shape.ToArray());
        float[] printed = [0.3133f, 2.1269f, 0.1269f, 2.1269f, 3.0486f, 0.0181f, 4.0181f, 0.0067f];
        for (int i = 0; i < printed.Length; i++)
        {
            Assert.Equal(printed[i], loss.Span[i], 4);
        }
    }

    [Fact]
    public void BCEWithLogitsLoss_of_the_seed_logits_matches_BCELoss_of_their_sigmoid()
    {
        float[] logits = [1, 2, 2, 2, 3, 4, 4, 5];
        var target = Tensor.FromValues([1f, 0f, 1f, 0f, 0f, 1f, 0f, 1f], 4, 2);
        var loss = new BCEWithLogitsLoss(reduction: Reduction.None).Forward(Tensor.FromValues(logits, 4, 2), target);
        float[] printed = [0.3133f, 2.1269f, 0.1269f, 2.1269f, 3.0486f, 0.0181f, 4.0181f, 0.0067f];
        for (int i = 0; i < printed.Length; i++)
        {
            Assert.Equal(printed[i], loss.Span[i], 4);
        }
    }

    [Fact]
    public void The_seed_backward_gives_torch_gradients()
    {
        // d/dx mean|x - y| = sign(x - y) / 3 = [0, 0, -1/3]; d/dx mean (x - y)^2 = 2 (x - y) / 3 = [0, 0, -4/3].
        GradMode.ReleaseThreadResults();
        var input = SeedInput();
        input.RequiresGrad = true;
        new L1Loss().Forward(input, SeedTarget()).Backward();
        Assert.Equal([0f, 0f, -1f / 3], input.Grad!.ToArray());

        input.ZeroGrad();
        new MSELoss().Forward(input, SeedTarget()).Backward();
        Assert.Equal([0f, 0f, -4f / 3], input.Grad!.ToArray());
    }
}
