using FastLoss.Functional;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Classification;

/// <summary>
/// After warm-up, 1,000 calls allocate nothing on the calling thread (GC.GetAllocatedBytesForCurrentThread), at span
/// level and at module level including loss.Backward() through the tape.
/// </summary>
public class ClassificationAllocationTests
{
    private const int Calls = 1000;

    [Fact]
    public void Span_level_cross_entropy_allocates_nothing()
    {
        var random = new Random(1);
        foreach (var layout in new[] { new ClassLayout(64, 10, 1), new ClassLayout(4, 100, 1), new ClassLayout(2, 5, 9), new ClassLayout(2, 3, 20) })
        {
            float[] logits = ClassificationData.Logits(random, layout.Length);
            long[] targets = ClassificationData.IndexTargets(random, layout.Entries, layout.Classes);
            float[] probabilities = ClassificationData.Probabilities(random, layout.Batch, layout.Classes, layout.Inner);
            float[] weight = ClassificationData.Weights(random, layout.Classes);
            float loss = 0;
            float[] entries = new float[layout.Entries];
            float[] upstream = new float[layout.Entries];
            float[] grad = new float[layout.Length];

            void Step()
            {
                var options = new CrossEntropyOptions { Weight = weight, LabelSmoothing = 0.1f };
                loss += CrossEntropy.ForwardBackward(logits, layout, targets, grad, options);
                loss += CrossEntropy.Forward(logits, layout, targets, options, Reduction.Sum);
                CrossEntropy.Backward(logits, layout, targets, grad, options);
                CrossEntropy.BackwardNone(logits, layout, targets, upstream, grad);
                CrossEntropy.ForwardBackwardNone(logits, layout, targets, entries, grad, options);
                CrossEntropy.ForwardBackwardNone(logits, layout, probabilities, entries, grad);
                loss += CrossEntropy.Forward(logits, layout, probabilities, options);
                CrossEntropy.Backward(logits, layout, probabilities, grad, options);
                loss += NllLoss.ForwardBackward(logits, layout, targets, grad, new NllLossOptions { Weight = weight });
                SoftmaxKernel.Forward(logits, layout, grad);
                LogSoftmaxKernel.Backward(logits, probabilities, layout, grad, accumulate: true);
            }

            AssertNoAllocation(Step, layout.ToString());
            Assert.False(float.IsNaN(loss));
        }
    }

    [Fact]
    public void Module_level_forward_and_backward_allocate_nothing()
    {
        var random = new Random(2);
        var input = Tensor.FromValues(ClassificationData.Logits(random, 64 * 10), 64, 10);
        input.RequiresGrad = true;
        var target = IndexTensor.FromValues(ClassificationData.IndexTargets(random, 64, 10));
        var probabilities = Tensor.FromValues(ClassificationData.Probabilities(random, 64, 10, 1), 64, 10);
        var image = Tensor.FromValues(ClassificationData.Logits(random, 2 * 5 * 3 * 3), 2, 5, 3, 3);
        image.RequiresGrad = true;
        var pixels = IndexTensor.FromValues(ClassificationData.IndexTargets(random, 18, 5), 2, 3, 3);
        var crossEntropy = new CrossEntropyLoss(Tensor.FromValues(ClassificationData.Weights(random, 10)), labelSmoothing: 0.1f);
        var spatial = new CrossEntropyLoss(reduction: Reduction.Sum);
        var logSoftmax = new LogSoftmax(1);
        var nll = new NLLLoss();

        void Step()
        {
            crossEntropy.Forward(input, target).Backward();
            crossEntropy.Forward(input, probabilities).Backward();
            spatial.Forward(image, pixels).Backward();
            nll.Forward(logSoftmax.Forward(input), target).Backward();
            input.ZeroGrad();
            image.ZeroGrad();
        }

        AssertNoAllocation(Step, "modules");
    }

    private static void AssertNoAllocation(Action step, string what)
    {
        long allocated = SteadyState.AllocatedBytes(step, Calls);
        Assert.True(allocated == 0, $"{what}: {allocated} bytes allocated over {Calls} calls");
    }
}
