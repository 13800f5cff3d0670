using FastLoss.Autograd;
using FastLoss.Data;
using FastLoss.Generation;
using FastLoss.NN;

namespace FastLoss.Cli.Training;

/// <summary>
/// Test loss and accuracy of a network over a dataset, without recording gradients (torch's
/// <c>with torch.no_grad()</c>). Every batch goes through the network at the full batch size: a last, shorter
/// batch is copied into a padded buffer whose extra rows are labelled ignore_index, so they add nothing to the
/// loss and are not counted. The network therefore keeps the shapes it was planned for in training, and an
/// evaluation between epochs allocates nothing in the layers.
/// </summary>
internal sealed class Evaluator
{
    private const long Ignored = -100;

    private readonly Module _model;
    private readonly DataLoader _loader;
    private readonly CrossEntropyLoss _lossSum = new(ignoreIndex: Ignored, reduction: Reduction.Sum);
    private readonly Tensor _paddedImages;
    private readonly IndexTensor _paddedLabels;
    private readonly int[] _correct;
    private readonly int[] _total;

    public Evaluator(Module model, IImageDataset dataset, int batchSize, int classes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        _model = model;

        // A batch never exceeds the data: ten test images with --batch-size 1000000 are one batch of ten.
        batchSize = Math.Clamp(batchSize, 1, Math.Max(1, dataset.Count));
        _loader = new DataLoader(dataset, batchSize, shuffle: false, dropLast: false, transform: new ToTensor());
        _paddedImages = Tensor.Zeros(batchSize, dataset.Channels, dataset.Height, dataset.Width);
        _paddedLabels = IndexTensor.Zeros(batchSize);
        _correct = new int[classes];
        _total = new int[classes];
    }

    /// <summary>The number of images evaluated.</summary>
    public int Count => _loader.Dataset.Count;

    public EvaluationResult Run()
    {
        Array.Clear(_correct);
        Array.Clear(_total);
        double lossSum = 0;
        using (GradMode.NoGrad())
        {
            while (_loader.TryNext(out Tensor? images, out IndexTensor? labels))
            {
                lossSum += EvaluateBatch(images, labels);
            }
        }

        return new EvaluationResult(Count == 0 ? double.NaN : lossSum / Count, (int[])_correct.Clone(), (int[])_total.Clone());
    }

    [HotPath]
    private double EvaluateBatch(Tensor images, IndexTensor labels)
    {
        int size = labels.Length;
        if (size != _paddedLabels.Length)
        {
            images.Span.CopyTo(_paddedImages.Span);
            labels.Span.CopyTo(_paddedLabels.Span);
            _paddedLabels.Span[size..].Fill(Ignored);
            images = _paddedImages;
            labels = _paddedLabels;
        }

        Tensor logits = _model.Forward(images);
        double loss = _lossSum.Forward(logits, labels).Item();
        CountCorrect(logits.Span, labels.Span[..size]);
        return loss;
    }

    /// <summary>Counts, per true class, the rows whose first maximal logit is the label (torch's argmax).</summary>
    [HotPath]
    private void CountCorrect(ReadOnlySpan<float> logits, ReadOnlySpan<long> labels)
    {
        int classes = _correct.Length;
        for (int row = 0; row < labels.Length; row++)
        {
            int label = (int)labels[row];
            _total[label]++;
            if (Predictions.ArgMax(logits.Slice(row * classes, classes)) == label)
            {
                _correct[label]++;
            }
        }
    }
}
