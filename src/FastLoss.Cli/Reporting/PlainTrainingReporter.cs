using System.Globalization;
using FastLoss.Cli.Training;
using FastLoss.Generation;

namespace FastLoss.Cli.Reporting;

/// <summary>
/// Training progress as plain lines, for logs, CI and redirected output: a line every report interval, a line per
/// epoch, and the per-class table at the end. Nothing is formatted between report points.
/// </summary>
internal sealed class PlainTrainingReporter(TextWriter output) : ITrainingReporter
{
    public T Run<T>(Func<T> training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return training();
    }

    public void RunStarted(RunDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        foreach (string line in description.Lines)
        {
            output.WriteLine(line);
        }
    }

    public void EpochStarted(int epoch, int epochs, int batches, int firstBatch)
    {
        string resumed = firstBatch > 0 ? $", resuming after batch {Figures.Count(firstBatch)}" : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}: {batches} batches{resumed}"));
    }

    [HotPath]
    public void BatchCompleted(in BatchProgress progress)
    {
        if (progress.IsReportPoint)
        {
            WriteProgress(progress);
        }
    }

    public void Evaluating(int epoch, int images)
    {
    }

    public void EpochCompleted(EpochSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        output.WriteLine(Figures.EpochLine(summary));
        output.Flush();
    }

    public void Note(string message) => output.WriteLine(message);

    public void RunCompleted(IReadOnlyList<EpochSummary> epochs, EvaluationResult? finalTest, IReadOnlyList<string> classNames)
    {
        if (finalTest is not null)
        {
            output.WriteLine();
            ClassAccuracyTable.WriteText(output, finalTest, classNames);
        }

        output.Flush();
    }

    private void WriteProgress(in BatchProgress progress)
    {
        int width = Figures.Count(progress.Batches).Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {progress.Epoch}/{progress.Epochs}  batch {progress.Batch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{progress.Batches}  " +
            $"step {progress.Step}  running loss {Figures.Loss(progress.RunningLoss)}  {Figures.Rate(progress.ImagesPerSecond)} images/s"));
        output.Flush();
    }
}
