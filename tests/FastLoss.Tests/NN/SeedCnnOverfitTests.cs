using FastLoss.Autograd;
using FastLoss.Data;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Tests.Data;
using FastLoss.Tests.TestSupport;
using Xunit.Abstractions;

namespace FastLoss.Tests.NN;

/// <summary>
/// On real data: the seed CNN with torch's default initialisation, CrossEntropyLoss and plain SGD (lr 0.04, no
/// momentum) fits one batch of 64 CIFAR-10 training images to a loss below 0.1 within 300 steps; it gets there
/// between steps 194 and 238 over five data and weight seeds. (PyTorch at lr 0.05 passes 0.1 near step 180, but
/// 0.05 is at the edge of stability for this network: the loss spikes, and rounding differences at the level of
/// one ulp decide whether a run recovers or diverges, so the test keeps a margin.) The loss must also have fallen
/// from the chance level, ln 10 = 2.30.
/// </summary>
public sealed class SeedCnnOverfitTests(ITestOutputHelper output)
{
    [Fact]
    public void One_batch_of_64_real_images_is_fitted_below_0_1_within_300_steps()
    {
        GradMode.ReleaseThreadResults();
        var dataset = new Cifar10(Cifar10TestData.Root, train: true);
        var loader = new DataLoader(dataset, batchSize: 64, shuffle: true, seed: 5);
        Assert.True(loader.TryNext(out Tensor? images, out IndexTensor? labels));

        var model = Cifar10Cnn.Create(new Generator(11));
        var lossFunction = new CrossEntropyLoss();
        var optimizer = new SGD(model.Parameters(), lr: 0.04f);

        float first = float.NaN;
        float loss = float.NaN;
        int step;
        for (step = 1; step <= 300; step++)
        {
            Tensor lossTensor = lossFunction.Forward(model.Forward(images!), labels!);
            optimizer.ZeroGrad();
            lossTensor.Backward();
            optimizer.Step();
            loss = lossTensor.Item();
            if (step == 1)
            {
                first = loss;
            }

            if (loss < 0.1f)
            {
                break;
            }
        }

        output.WriteLine($"loss {first} at step 1, {loss} at step {step}");
        Assert.InRange(first, 2.0f, 2.6f);
        Assert.True(loss < 0.1f, $"after {step - 1} steps the loss is {loss} (started at {first})");
    }
}
