using System.Globalization;
using FastLoss.Cli.Training;

namespace FastLoss.Cli.Reporting;

/// <summary>How figures are written in reports: the same text on a terminal and in a log.</summary>
internal static class Figures
{
    public static string Loss(double loss) => loss.ToString("F4", CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    public static string Rate(double imagesPerSecond) => imagesPerSecond.ToString("F0", CultureInfo.InvariantCulture);

    public static string Seconds(double seconds) => seconds.ToString("F1", CultureInfo.InvariantCulture) + " s";

    public static string Count(long count) => count.ToString(CultureInfo.InvariantCulture);

    /// <summary>"test loss 1.9876, accuracy 28.41% (2841/10000)".</summary>
    public static string Evaluation(EvaluationResult result) =>
        $"loss {Loss(result.Loss)}, accuracy {Percent(result.Accuracy)} ({Count(result.Correct)}/{Count(result.Total)})";

    /// <summary>The line printed when an epoch ends.</summary>
    public static string EpochLine(EpochSummary summary) =>
        $"epoch {Count(summary.Epoch)}/{Count(summary.Epochs)}: train loss {Loss(summary.TrainLoss)}, test {Evaluation(summary.Test)}, " +
        $"{Rate(summary.ImagesPerSecond)} images/s, {Seconds(summary.Seconds)}";
}
