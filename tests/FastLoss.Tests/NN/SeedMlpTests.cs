using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.NN;

/// <summary>
/// The second seed's program in both of its styles (demo1 with its one Sigmoid instance applied three times, demo2 with
/// a Sigmoid per Sequential block): Linear(4,3), Sigmoid, Linear(3,2), Sigmoid, Linear(2,1), Sigmoid with
/// xavier_normal_ weights and every bias replaced by ONE shared scalar 5.5 (bias.data = torch.tensor(5.5)), MSELoss,
/// SGD(lr = 0.1), 50 epochs on 100 samples. Both styles must give the same weights, and those must match the same
/// training carried out in float64 by hand-written backpropagation (tolerance 1e-4 after 50 steps).
/// </summary>
public sealed class SeedMlpTests
{
    private const int Samples = 100;
    private const int Epochs = 50;

    [Fact]
    public void Both_styles_train_identically_and_match_a_float64_backpropagation()
    {
        var (x, y) = Data();

        // Style 1 (demo1, exactly as written): explicit layers and ONE activation module applied after each of them.
        var demo1 = new SeedMlp(new Generator(7));
        var explicitLayers = new[] { demo1.Linear1, demo1.Linear2, demo1.Linear3 };
        double[][] w0 = Snapshot(explicitLayers);

        // Style 2: nn.Sequential blocks, initialised from the same generator seed.
        var sequential = new Sequential(
            new Sequential(new Linear(4, 3), new Sigmoid()),
            new Sequential(new Linear(3, 2), new Sigmoid()),
            new Sequential(new Linear(2, 1), new Sigmoid()));
        var sequentialLayers = new[] { (Linear)((Sequential)sequential[0])[0], (Linear)((Sequential)sequential[1])[0], (Linear)((Sequential)sequential[2])[0] };
        Initialise(sequentialLayers, seed: 7);
        Assert.Equal(w0[0], Snapshot(sequentialLayers)[0]);
        Assert.Equal(["0.0.weight", "0.0.bias", "1.0.weight", "1.0.bias", "2.0.weight", "2.0.bias"], sequential.NamedParameters().Select(p => p.Name));

        float[] lossesExplicit = Train(demo1.Forward, demo1.Parameters(), x, y);
        float[] lossesSequential = Train(sequential.Forward, sequential.Parameters(), x, y);

        Assert.Equal(lossesExplicit, lossesSequential);
        for (int l = 0; l < 3; l++)
        {
            Assert.Equal(explicitLayers[l].Weight.ToArray(), sequentialLayers[l].Weight.ToArray());
            Assert.Equal(explicitLayers[l].Bias!.Item(), sequentialLayers[l].Bias!.Item());
        }

        var (referenceWeights, referenceBiases, referenceLosses) = ReferenceTraining(w0, x, y);
        for (int l = 0; l < 3; l++)
        {
            float[] trained = explicitLayers[l].Weight.ToArray();
            for (int i = 0; i < trained.Length; i++)
            {
                Assert.True(Math.Abs(trained[i] - referenceWeights[l][i]) < 1e-4, $"layer {l} weight {i}: {trained[i]} vs {referenceWeights[l][i]}");
            }

            Assert.True(Math.Abs(explicitLayers[l].Bias!.Item() - referenceBiases[l]) < 1e-4, $"layer {l} bias: {explicitLayers[l].Bias!.Item()} vs {referenceBiases[l]}");
        }

        for (int e = 0; e < Epochs; e++)
        {
            Assert.True(Math.Abs(lossesExplicit[e] - referenceLosses[e]) < 1e-5, $"epoch {e}: {lossesExplicit[e]} vs {referenceLosses[e]}");
        }

        Assert.True(lossesExplicit[^1] < lossesExplicit[0], $"the loss falls: {lossesExplicit[0]} -> {lossesExplicit[^1]}");
    }

    private static float[] Train(Func<Tensor, Tensor> forward, IReadOnlyList<Tensor> parameters, Tensor x, Tensor y)
    {
        GradMode.ReleaseThreadResults();
        var optimizer = new SGD(parameters, lr: 0.1f);
        var criterion = new MSELoss();
        var losses = new float[Epochs];
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            Tensor loss = criterion.Forward(forward(x), y);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            losses[epoch] = loss.Item();
        }

        return losses;
    }

    private static void Initialise(Linear[] layers, long seed)
    {
        var generator = new Generator(seed);
        foreach (var layer in layers)
        {
            Init.XavierNormal(layer.Weight, generator: generator);
            layer.SetScalarBias(5.5f);
        }
    }

    private static double[][] Snapshot(Linear[] layers) => layers.Select(l => l.Weight.ToArray().Select(v => (double)v).ToArray()).ToArray();

    private static (Tensor X, Tensor Y) Data()
    {
        var generator = new Generator(666);
        var x = new float[Samples * 4];
        var y = new float[Samples];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)generator.NextNormal();
        }

        for (int i = 0; i < y.Length; i++)
        {
            y[i] = (float)generator.NextDouble();
        }

        return (Tensor.FromValues(x, Samples, 4), Tensor.FromValues(y, Samples, 1));
    }

    /// <summary>The same 50 SGD steps in float64: sigmoid layers with a shared scalar bias each, mean squared error.</summary>
    private static (double[][] Weights, double[] Biases, double[] Losses) ReferenceTraining(double[][] initial, Tensor xTensor, Tensor yTensor)
    {
        int[] sizes = [4, 3, 2, 1];
        double[][] w = initial.Select(a => (double[])a.Clone()).ToArray();
        double[] b = [5.5, 5.5, 5.5];
        float[] x = xTensor.ToArray();
        float[] y = yTensor.ToArray();
        var losses = new double[Epochs];
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            var gw = sizes.Skip(1).Select((n, l) => new double[n * sizes[l]]).ToArray();
            var gb = new double[3];
            double loss = 0;
            for (int s = 0; s < Samples; s++)
            {
                var activations = new double[4][];
                activations[0] = Enumerable.Range(0, 4).Select(k => (double)x[(s * 4) + k]).ToArray();
                for (int l = 0; l < 3; l++)
                {
                    activations[l + 1] = new double[sizes[l + 1]];
                    for (int o = 0; o < sizes[l + 1]; o++)
                    {
                        double z = b[l];
                        for (int i = 0; i < sizes[l]; i++)
                        {
                            z += w[l][(o * sizes[l]) + i] * activations[l][i];
                        }

                        activations[l + 1][o] = 1 / (1 + Math.Exp(-z));
                    }
                }

                double residual = activations[3][0] - y[s];
                loss += residual * residual / Samples;
                double[] delta = [2 * residual / Samples];
                for (int l = 2; l >= 0; l--)
                {
                    var dz = new double[sizes[l + 1]];
                    for (int o = 0; o < dz.Length; o++)
                    {
                        double a = activations[l + 1][o];
                        dz[o] = delta[o] * a * (1 - a);
                        gb[l] += dz[o]; // one shared scalar bias: its gradient sums over units and samples
                        for (int i = 0; i < sizes[l]; i++)
                        {
                            gw[l][(o * sizes[l]) + i] += dz[o] * activations[l][i];
                        }
                    }

                    var previous = new double[sizes[l]];
                    for (int i = 0; i < previous.Length; i++)
                    {
                        for (int o = 0; o < dz.Length; o++)
                        {
                            previous[i] += dz[o] * w[l][(o * sizes[l]) + i];
                        }
                    }

                    delta = previous;
                }
            }

            losses[epoch] = loss;
            for (int l = 0; l < 3; l++)
            {
                for (int k = 0; k < w[l].Length; k++)
                {
                    w[l][k] -= 0.1 * gw[l][k];
                }

                b[l] -= 0.1 * gb[l];
            }
        }

        return (w, b, losses);
    }
}
