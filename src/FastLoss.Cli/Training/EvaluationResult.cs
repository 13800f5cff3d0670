namespace FastLoss.Cli.Training;

/// <summary>The test-set figures of one evaluation: mean loss, overall and per-class accuracy.</summary>
internal sealed class EvaluationResult
{
    public EvaluationResult(double loss, int[] correctByClass, int[] totalByClass)
    {
        Loss = loss;
        CorrectByClass = correctByClass;
        TotalByClass = totalByClass;
        for (int c = 0; c < totalByClass.Length; c++)
        {
            Correct += correctByClass[c];
            Total += totalByClass[c];
        }
    }

    /// <summary>The cross-entropy averaged over the images.</summary>
    public double Loss { get; }

    /// <summary>Images whose highest logit is their label.</summary>
    public int Correct { get; }

    public int Total { get; }

    /// <summary>Correct / Total (0 for an empty set).</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    public IReadOnlyList<int> CorrectByClass { get; }

    public IReadOnlyList<int> TotalByClass { get; }

    public double ClassAccuracy(int label) => TotalByClass[label] == 0 ? 0 : (double)CorrectByClass[label] / TotalByClass[label];
}
