using FastLoss.Cli.Training;
using FastLoss.Generation;
using Spectre.Console;

namespace FastLoss.Cli.Reporting;

/// <summary>
/// Training progress on a terminal: one live progress bar per epoch (Spectre.Console) with the running loss and
/// images/s, which stays on screen with the epoch's test figures when it ends; the per-class table at the end.
/// Per batch only three numbers are updated (<see cref="LiveEpochState"/>); the display formats them on its own thread.
/// </summary>
internal sealed class LiveTrainingReporter(IAnsiConsole console) : ITrainingReporter
{
    private ProgressContext? _context;
    private ProgressTask? _task;
    private LiveEpochState? _state;

    public T Run<T>(Func<T> training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new BatchBarColumn(width: 16),
                new BatchCountColumn(),
                new ElapsedTimeColumn(),
                new EpochStatsColumn())
            .Start(context =>
            {
                _context = context;
                try
                {
                    return training();
                }
                finally
                {
                    _context = null;
                }
            });
    }

    public void RunStarted(RunDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        foreach (string line in description.Lines)
        {
            console.WriteLine(line);
        }
    }

    public void EpochStarted(int epoch, int epochs, int batches, int firstBatch)
    {
        _state = new LiveEpochState(batches) { Batch = firstBatch };
        _task = _context?.AddTask($"epoch {Figures.Count(epoch)}/{Figures.Count(epochs)}", maxValue: batches);
        if (_task is not null)
        {
            _task.Tag = _state;
        }
    }

    [HotPath]
    public void BatchCompleted(in BatchProgress progress)
    {
        if (_state is { } state)
        {
            state.EpochLoss = progress.EpochLoss;
            state.ImagesPerSecond = progress.ImagesPerSecond;
            state.Batch = progress.Batch;
        }
    }

    public void Evaluating(int epoch, int images)
    {
        if (_state is not null)
        {
            _state.Evaluating = true;
        }
    }

    public void EpochCompleted(EpochSummary summary)
    {
        if (_state is not null)
        {
            _state.Summary = summary;
            _state.Evaluating = false;
        }

        if (_task is not null)
        {
            _task.Value = _task.MaxValue;
            _task.StopTask();
        }
    }

    public void Note(string message) => console.WriteLine(message);

    public void RunCompleted(IReadOnlyList<EpochSummary> epochs, EvaluationResult? finalTest, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        if (epochs.Count > 0)
        {
            var table = new Table().Title("epochs");
            table.AddColumn(new TableColumn("epoch").RightAligned());
            table.AddColumn(new TableColumn("train loss").RightAligned());
            table.AddColumn(new TableColumn("test loss").RightAligned());
            table.AddColumn(new TableColumn("test accuracy").RightAligned());
            table.AddColumn(new TableColumn("images/s").RightAligned());
            foreach (EpochSummary epoch in epochs)
            {
                table.AddRow(
                    Figures.Count(epoch.Epoch), Figures.Loss(epoch.TrainLoss), Figures.Loss(epoch.Test.Loss),
                    Figures.Percent(epoch.Test.Accuracy), Figures.Rate(epoch.ImagesPerSecond));
            }

            console.Write(table);
        }

        if (finalTest is not null)
        {
            console.Write(ClassAccuracyTable.Create(finalTest, classNames));
        }
    }
}
