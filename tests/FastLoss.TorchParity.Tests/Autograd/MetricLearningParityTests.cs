using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Optim;
using TorchSharp;
using static FastLoss.TorchParity.Tests.TorchConvert;

namespace FastLoss.TorchParity.Tests.Autograd;

/// <summary>
/// The metric-learning losses in the training loop users write: one embedding network applied to the anchor, the
/// positive and the negative (or to both sides of a pair) in one graph, the loss, zero_grad, backward and SGD's step,
/// 30 times, beside the same program in libtorch from the same weights. Each step's loss and the final weights match
/// (they agree to about 1e-7; the 1e-4 bound leaves room for float32 drift). The learning rate is one at which no
/// row's hinge flips back and forth: at 0.2 the loss oscillates, rows cross their margins, and rounding grows to 3e-4
/// by step 22 on both sides alike.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class MetricLearningParityTests
{
    private const int Steps = 30;

    public MetricLearningParityTests() => GradMode.ReleaseThreadResults();

    public static TheoryData<string> Losses => ["TripletMarginLoss", "TripletMarginLoss p=3 swap", "TripletMarginWithDistanceLoss", "CosineEmbeddingLoss", "MarginRankingLoss"];

    [Theory]
    [MemberData(nameof(Losses))]
    public void An_embedding_network_shared_by_the_inputs_trains_as_in_torch(string name)
    {
        var net = new Sequential(new Linear(6, 8, generator: new Generator(31)), new Tanh(), new Linear(8, 4, generator: new Generator(32)));
        Tensor a = Uniform(33, 10, 6), p = Uniform(34, 10, 6), n = Uniform(35, 10, 6);
        Tensor signs = Tensor.FromValues([1f, -1f, 1f, 1f, -1f, -1f, 1f, -1f, 1f, 1f], 10);
        Tensor rankings = Tensor.FromValues([.. Enumerable.Range(0, 40).Select(i => i % 3 == 0 ? -1f : 1f)], 10, 4);
        var optimizer = new SGD(net.Parameters(), lr: 0.05f);

        using var scope = torch.NewDisposeScope();
        torch.Tensor[] tp = [.. net.Parameters().Select(t => ToTorch(t, true))];
        var torchOptimizer = torch.optim.SGD([.. tp.Select(t => new TorchSharp.Modules.Parameter(t))], 0.05);
        var parameters = torchOptimizer.parameters().ToArray();
        torch.Tensor F(torch.Tensor input) =>
            torch.nn.functional.linear(torch.tanh(torch.nn.functional.linear(input, parameters[0], parameters[1])), parameters[2], parameters[3]);
        torch.Tensor ta = ToTorch(a), tpos = ToTorch(p), tn = ToTorch(n), tsigns = ToTorch(signs), trankings = ToTorch(rankings);

        // The criterion is made once, before the loop, as a training script makes it.
        var triplet = new TripletMarginLoss(margin: 0.5f);
        var cubic = new TripletMarginLoss(margin: 0.5f, p: 3f, swap: true);
        var withDistance = new TripletMarginWithDistanceLoss(margin: 0.5f);
        var cosine = new CosineEmbeddingLoss(0.1f);
        var ranking = new MarginRankingLoss(0.2f);
        Func<Tensor> loss = name switch
        {
            "TripletMarginLoss" => () => triplet.Forward(net.Forward(a), net.Forward(p), net.Forward(n)),
            "TripletMarginLoss p=3 swap" => () => cubic.Forward(net.Forward(a), net.Forward(p), net.Forward(n)),
            "TripletMarginWithDistanceLoss" => () => withDistance.Forward(net.Forward(a), net.Forward(p), net.Forward(n)),
            "CosineEmbeddingLoss" => () => cosine.Forward(net.Forward(a), net.Forward(p), signs),
            _ => () => ranking.Forward(net.Forward(a), net.Forward(p), rankings),
        };
        Func<torch.Tensor> torchLoss = name switch
        {
            "TripletMarginLoss" => () => torch.nn.functional.triplet_margin_loss(F(ta), F(tpos), F(tn), 0.5),
            "TripletMarginLoss p=3 swap" => () => torch.nn.functional.triplet_margin_loss(F(ta), F(tpos), F(tn), 0.5, 3, 1e-6, true),
            "TripletMarginWithDistanceLoss" => () => torch.nn.functional.triplet_margin_with_distance_loss(F(ta), F(tpos), F(tn), null, 0.5),
            "CosineEmbeddingLoss" => () => torch.nn.functional.cosine_embedding_loss(F(ta), F(tpos), tsigns, 0.1),
            _ => () => torch.nn.functional.margin_ranking_loss(F(ta), F(tpos), trankings, 0.2),
        };

        float first = float.NaN, last = float.NaN;
        for (int step = 0; step < Steps; step++)
        {
            Tensor value = loss();
            last = value.Item();
            first = step == 0 ? last : first;
            optimizer.ZeroGrad();
            value.Backward();
            optimizer.Step();

            torch.Tensor torchValue = torchLoss();
            torchOptimizer.zero_grad();
            torchValue.backward();
            torchOptimizer.step();
            Closeness.AssertClose(torchValue.item<float>(), value.Item(), 1e-4, 1e-6, $"{name} step {step}: loss");
        }

        // The loop trained: the loss fell and was still above 0 (every step had a gradient to compare).
        Assert.True(last > 0f && last < first, $"{name}: loss {first} -> {last}");
        var mine = net.Parameters();
        for (int i = 0; i < mine.Count; i++)
        {
            Closeness.AssertClose(ToArray(parameters[i]), mine[i].Values, 1e-4, 1e-6, $"{name}: parameter {i} after {Steps} steps");
        }
    }

    private static Tensor Uniform(int seed, params int[] shape) => Layers.LayerParityTests.Uniform(new Generator(seed), shape);
}
