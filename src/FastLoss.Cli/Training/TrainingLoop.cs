using System.Diagnostics;
using FastLoss.Cli.Reporting;
using FastLoss.Data;
using FastLoss.Generation;
using FastLoss.Logging;
using FastLoss.NN;
using FastLoss.Optim;

namespace FastLoss.Cli.Training;

/// <summary>
/// The batches of one epoch: forward, cross-entropy, zero_grad, backward, SGD step, then the batch's loss to
/// TensorBoard and the reporter. The network, loss, optimizer and loader reuse their buffers, and this loop adds
/// nothing of its own, so a batch allocates nothing once the first has planned the layers (strings are built
/// only at report points, every <see cref="ReportInterval"/> batches).
/// </summary>
internal sealed class TrainingLoop
{
    private readonly Module _model;
    private readonly CrossEntropyLoss _criterion = new();
    private readonly SGD _optimizer;
    private readonly DataLoader _loader;
    private readonly TensorBoardWriter _events;
    private readonly ITrainingReporter _reporter;
    private readonly TrainingHistory _history;

    public TrainingLoop(
        Module model, SGD optimizer, DataLoader loader, TensorBoardWriter events, ITrainingReporter reporter, TrainingHistory history,
        int reportInterval, long step)
    {
        _model = model;
        _optimizer = optimizer;
        _loader = loader;
        _events = events;
        _reporter = reporter;
        _history = history;
        ReportInterval = reportInterval;
        Step = step;
    }

    /// <summary>Batches between running-loss reports.</summary>
    public int ReportInterval { get; }

    /// <summary>Optimizer steps taken since the start of the run.</summary>
    public long Step { get; private set; }

    /// <summary>Batches per epoch.</summary>
    public int Batches => _loader.Count;

    /// <summary>TensorBoard tag of the per-step training loss.</summary>
    public const string TrainLossTag = "train/loss";

    /// <summary>
    /// Runs epoch <paramref name="epoch"/> (counted from 0) from <paramref name="start"/> (a position past its first
    /// batch when resuming mid-epoch: the batches before it are drawn in the same order and skipped), stopping
    /// after the current batch once <paramref name="cancellation"/> is signalled.
    /// </summary>
    public EpochOutcome RunEpoch(int epoch, int epochs, EpochPosition start, CancellationToken cancellation)
    {
        // The shuffle order of an epoch depends only on (seed, epoch), so a resumed run sees the same batches.
        _loader.Epoch = epoch;
        for (int skipped = 0; skipped < start.Batch; skipped++)
        {
            _loader.TryNext(out _, out _);
        }

        _reporter.EpochStarted(epoch + 1, epochs, _loader.Count, start.Batch);
        var window = new RunningWindow(start);
        long started = Stopwatch.GetTimestamp();
        int images = 0;
        bool interrupted = false;
        while (_loader.TryNext(out Tensor? batch, out IndexTensor? labels))
        {
            float loss = TrainBatch(batch, labels);
            images += labels.Length;
            window.Add(loss);
            Report(epoch, epochs, loss, ref window, images, started);
            if (cancellation.IsCancellationRequested && window.Batch < _loader.Count)
            {
                interrupted = true;
                break;
            }
        }

        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new EpochOutcome(window.Position, seconds > 0 ? images / seconds : 0, seconds, interrupted);
    }

    /// <summary>One optimisation step on a batch; returns its loss.</summary>
    [HotPath]
    private float TrainBatch(Tensor images, IndexTensor labels)
    {
        Tensor logits = _model.Forward(images);
        Tensor loss = _criterion.Forward(logits, labels);
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
        Step++;
        float value = loss.Item();
        _events.AddScalar(TrainLossTag, value, Step);
        return value;
    }

    [HotPath]
    private void Report(int epoch, int epochs, float loss, ref RunningWindow window, int images, long started)
    {
        bool reportPoint = window.Batch % ReportInterval == 0 || window.Batch == _loader.Count;
        double running = window.RunningMean;
        if (reportPoint)
        {
            _history.AddRunning(epoch + ((double)window.Batch / _loader.Count), running);
            window.ResetRunning();
        }

        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var progress = new BatchProgress
        {
            Epoch = epoch + 1,
            Epochs = epochs,
            Batch = window.Batch,
            Batches = _loader.Count,
            Step = Step,
            Loss = loss,
            EpochLoss = window.EpochSum / window.Batch,
            RunningLoss = running,
            ImagesPerSecond = seconds > 0 ? images / seconds : 0,
            IsReportPoint = reportPoint,
        };
        _reporter.BatchCompleted(in progress);
    }

    /// <summary>The epoch's loss sum and the running window since the last report point.</summary>
    private struct RunningWindow(EpochPosition start)
    {
        private double _runningSum = start.RunningLossSum;
        private int _runningCount = start.RunningBatches;

        public int Batch { get; private set; } = start.Batch;

        public double EpochSum { get; private set; } = start.LossSum;

        public readonly EpochPosition Position => new(Batch, EpochSum, _runningSum, _runningCount);

        public readonly double RunningMean => _runningCount == 0 ? double.NaN : _runningSum / _runningCount;

        public void Add(float loss)
        {
            Batch++;
            EpochSum += loss;
            _runningSum += loss;
            _runningCount++;
        }

        public void ResetRunning()
        {
            _runningSum = 0;
            _runningCount = 0;
        }
    }
}
