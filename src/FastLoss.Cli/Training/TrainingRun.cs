using System.Globalization;
using FastLoss.Cli.Checkpoints;
using FastLoss.Cli.Reporting;
using FastLoss.Data;
using FastLoss.Logging;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Serialization;
using FastLoss.Threading;

namespace FastLoss.Cli.Training;

/// <summary>
/// A whole training run of the CIFAR-10 network: reads the data, builds or restores the network and SGD,
/// trains epoch after epoch with an evaluation on the test set after each, and writes a checkpoint, the loss
/// curve and TensorBoard events as it goes. Everything that can be refused (options, checkpoint, data) is
/// checked before the first file is written.
/// </summary>
internal sealed class TrainingRun
{
    public const string CsvFileName = "losses.csv";
    public const string PngFileName = "loss-curve.png";
    public const string EventsFolderName = "tensorboard";

    private readonly TrainingSettings _settings;
    private readonly ITrainingReporter _reporter;

    public TrainingRun(TrainingSettings settings, ITrainingReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(reporter);
        _settings = settings;
        _reporter = reporter;
    }

    public TrainingResult Execute(CancellationToken cancellation)
    {
        TrainingState? resumed = null;
        CheckpointFiles? from = null;
        TrainingSettings settings = _settings;
        if (settings.Resume is { } resume)
        {
            from = CheckpointStore.Locate(resume);
            resumed = ReadResumeState(from.Model);
            settings = MergeResumed(settings, from, resumed);
        }

        Validate(settings);
        if (settings.Download && !Cifar10.IsPresent(settings.DataRoot, train: true))
        {
            _reporter.Note($"CIFAR-10 not found ({Cifar10.Searched(settings.DataRoot, train: true)}): downloading it into '{Path.GetFullPath(settings.DataRoot)}'.");
        }

        var trainSet = new Cifar10(settings.DataRoot, train: true, download: settings.Download);
        var testSet = new Cifar10(settings.DataRoot, train: false, download: settings.Download);
        IImageDataset train = settings.LimitTrain is { } limitTrain ? DatasetSubset.First(trainSet, limitTrain) : trainSet;
        IImageDataset test = settings.LimitTest is { } limitTest ? DatasetSubset.First(testSet, limitTest) : testSet;
        if (train.Count < settings.BatchSize)
        {
            throw new CommandException(
                $"--batch-size {settings.BatchSize} is larger than the {train.Count} training images: every epoch would be empty " +
                "(the last partial batch is dropped, as the tutorial's drop_last=True).");
        }

        Sequential model = Cifar10Cnn.Create(new Generator(settings.Seed));
        var optimizer = new SGD(model.Parameters(), settings.Lr, settings.Momentum);
        if (resumed is not null)
        {
            CheckpointStore.LoadModel(from!.Model, model);
            CheckpointStore.LoadOptimizer(from.Optimizer, from.Model, model, optimizer, resumed);
        }

        var loader = new DataLoader(train, settings.BatchSize, shuffle: true, seed: settings.Seed, dropLast: true, transform: new ToTensor());
        TrainingState start = resumed ?? new TrainingState { RunId = Guid.NewGuid().ToString("N") };
        if (start.BatchInEpoch >= loader.Count)
        {
            throw new CommandException(
                $"'{settings.Resume}' stopped after batch {start.BatchInEpoch} of an epoch, but an epoch here has {loader.Count} batches: " +
                "the training data differs from the run that wrote it.");
        }

        string output = Path.GetFullPath(settings.OutputFolder);
        if (start.Epoch >= settings.Epochs && start.BatchInEpoch == 0)
        {
            if (from is not null && from.RunFolder == output)
            {
                // A run killed after its last checkpoint was in place but before the copies were made gets them now.
                using RunLock finishing = RunLock.Take(output);
                CheckpointStore.RemoveLeftovers(output);
                RefreshCopies(from, output, settings.LogInterval);
            }

            _reporter.Note(
                $"The checkpoint has already trained {start.Epoch} epoch(s) of the {settings.Epochs} asked for: nothing to do " +
                $"(pass --epochs N with N > {start.Epoch} to train further).");
            return new TrainingResult(start, [], Interrupted: false, output);
        }

        // One run per output folder, from here until the run ends; what a killed run left half written goes first.
        using RunLock runLock = RunLock.Take(output);
        CheckpointStore.RemoveLeftovers(output);
        if (from is not null && from.RunFolder == output)
        {
            RefreshCopies(from, output, settings.LogInterval);
        }

        _reporter.RunStarted(Describe(settings, trainSet, testSet, train, test, model, loader, output, start));
        double position = start.Epoch + ((double)start.BatchInEpoch / loader.Count);

        // A capacity hint only: a huge --epochs must not overflow it.
        int expectedPoints = (int)Math.Min(1 << 20, (((long)settings.Epochs - start.Epoch) * ((loader.Count / settings.LogInterval) + 1)) + 1);
        TrainingHistory history = resumed is null
            ? new TrainingHistory(expectedPoints)
            : TrainingHistory.ReadOrEmpty(File.Exists(from!.History) ? from.History : Path.Combine(from.RunFolder, CsvFileName), position, expectedPoints);

        using var events = new TensorBoardWriter(Path.Combine(output, EventsFolderName));
        var loop = new TrainingLoop(model, optimizer, loader, events, _reporter, history, settings.LogInterval, start.Step);
        var evaluator = new Evaluator(model, test, settings.BatchSize, Cifar10Cnn.Classes);
        var epochs = new EpochRunner(settings, output, model, optimizer, loop, evaluator, events, history);
        TrainingResult result = _reporter.Run(() => epochs.Train(start, _reporter, cancellation));
        _reporter.RunCompleted(result.Epochs, result.Epochs.Count > 0 ? result.Epochs[^1].Test : null, trainSet.Classes);
        return result;
    }

    /// <summary>The run folder's copies (network, losses.csv, loss curve) made again from the checkpoint <paramref name="from"/>.</summary>
    private static void RefreshCopies(CheckpointFiles from, string output, int logInterval)
    {
        CheckpointStore.RefreshCopy(from, output);
        if (File.Exists(from.History))
        {
            TrainingHistory history = TrainingHistory.ReadOrEmpty(from.History, double.MaxValue, logInterval);
            history.SaveCsv(Path.Combine(output, CsvFileName));
            history.SavePng(Path.Combine(output, PngFileName), "CIFAR-10 CNN: cross-entropy loss");
        }
    }

    private static TrainingState ReadResumeState(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"checkpoint not found: '{Path.GetFullPath(path)}'.", path);
        }

        SafeTensorsContent content = SafeTensors.Load(path);
        return TrainingState.FromMetadata(path, content.Metadata);
    }

    /// <summary>
    /// A resumed run keeps the batch size, seed and training subset of the run it continues (its batches and shuffle
    /// order depend on them), and takes lr, momentum, the log interval and the output folder from the checkpoint
    /// unless given.
    /// </summary>
    private static TrainingSettings MergeResumed(TrainingSettings settings, CheckpointFiles files, TrainingState state)
    {
        ExplicitOptions given = settings.Given;
        Require(given.HasFlag(ExplicitOptions.BatchSize), "--batch-size", settings.BatchSize, state.BatchSize);
        Require(given.HasFlag(ExplicitOptions.Seed), "--seed", settings.Seed, state.Seed);
        if (given.HasFlag(ExplicitOptions.LimitTrain) && settings.LimitTrain != state.LimitTrain)
        {
            throw new CommandException(
                $"--limit-train {settings.LimitTrain} differs from the checkpoint's {(state.LimitTrain is { } l ? l.ToString(CultureInfo.InvariantCulture) : "(all images)")}: " +
                "a resumed run keeps the training images of the run it continues.");
        }

        return settings with
        {
            BatchSize = state.BatchSize,
            Seed = state.Seed,
            LimitTrain = state.LimitTrain,
            LogInterval = given.HasFlag(ExplicitOptions.LogInterval) ? settings.LogInterval : state.LogInterval,
            Lr = given.HasFlag(ExplicitOptions.Lr) ? settings.Lr : state.Lr,
            Momentum = given.HasFlag(ExplicitOptions.Momentum) ? settings.Momentum : state.Momentum,
            OutputFolder = given.HasFlag(ExplicitOptions.OutputFolder) ? settings.OutputFolder : files.RunFolder,
        };
    }

    private static void Require(bool given, string option, int value, int saved)
    {
        if (given && value != saved)
        {
            throw new CommandException(
                $"{option} {value} differs from the checkpoint's {saved}: a resumed run keeps the batch size and seed of the run it continues.");
        }
    }

    private static void Validate(TrainingSettings settings)
    {
        if (settings.Epochs < 1)
        {
            throw new CommandException($"--epochs must be 1 or more, got {settings.Epochs}.");
        }

        if (settings.BatchSize < 1)
        {
            throw new CommandException($"--batch-size must be 1 or more, got {settings.BatchSize}.");
        }

        if (!(settings.Lr >= 0) || !float.IsFinite(settings.Lr))
        {
            throw new CommandException($"--lr must be a finite number, 0 or more, got {settings.Lr.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!(settings.Momentum >= 0) || !float.IsFinite(settings.Momentum))
        {
            throw new CommandException($"--momentum must be a finite number, 0 or more, got {settings.Momentum.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (settings.LimitTrain is < 1 || settings.LimitTest is < 1)
        {
            throw new CommandException("--limit-train and --limit-test must be 1 or more.");
        }

        if (settings.LogInterval < 1)
        {
            throw new CommandException($"--log-interval must be 1 or more, got {settings.LogInterval}.");
        }
    }

    private static RunDescription Describe(
        TrainingSettings settings, Cifar10 trainSet, Cifar10 testSet, IImageDataset train, IImageDataset test, Sequential model,
        DataLoader loader, string output, TrainingState start)
    {
        var lines = new List<string>
        {
            $"training data: {trainSet}" + (train.Count < trainSet.Count ? $"; using the first {Figures.Count(train.Count)} (--limit-train)" : ""),
            $"test data: {testSet}" + (test.Count < testSet.Count ? $"; using the first {Figures.Count(test.Count)} (--limit-test)" : ""),
            $"network: the tutorial's CNN (3 x [Conv2d 5x5 pad 2, MaxPool2d 2], Flatten, Linear 1024-64, Linear 64-10), " +
            $"{Figures.Count(model.ParameterCount())} parameters",
            string.Create(CultureInfo.InvariantCulture,
                $"training: {settings.Epochs} epochs of {loader.Count} batches of {settings.BatchSize} (shuffled, seed {settings.Seed}; " +
                $"the last {train.Count % settings.BatchSize} images of each epoch's order are dropped, as drop_last=True), " +
                $"CrossEntropyLoss, SGD lr {settings.Lr} momentum {settings.Momentum}, ToTensor, {ComputePool.ThreadCount} threads"),
            $"output: {output} ({CheckpointStore.ModelFileName}, {CheckpointStore.CheckpointsFolderName}/, {PngFileName}, {CsvFileName}, {EventsFolderName}/)",
        };
        if (settings.Resume is { } resume)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"resuming from {Path.GetFullPath(resume)}{ResumedFrom(resume)}: {start.Epoch} epoch(s) done" +
                $"{(start.BatchInEpoch > 0 ? $" and {start.BatchInEpoch} batch(es) of the next" : "")}, step {start.Step}"));
        }

        return new RunDescription(lines);
    }

    /// <summary>" (the step folder ...)" when the checkpoint read is not the file given (the run folder's copy stands for its newest step).</summary>
    private static string ResumedFrom(string resume)
    {
        string model = CheckpointStore.Locate(resume).Model;
        return model == Path.GetFullPath(resume) ? string.Empty : $" (its newest complete checkpoint, {Path.GetDirectoryName(model)})";
    }

    /// <summary>The epochs of one invocation, run inside the reporter's display.</summary>
    private sealed class EpochRunner(
        TrainingSettings settings, string output, Sequential model, SGD optimizer, TrainingLoop loop, Evaluator evaluator,
        TensorBoardWriter events, TrainingHistory history)
    {
        public TrainingResult Train(TrainingState start, ITrainingReporter reporter, CancellationToken cancellation)
        {
            var epochs = new List<EpochSummary>();
            TrainingState state = start with
            {
                Lr = settings.Lr, Momentum = settings.Momentum, BatchSize = settings.BatchSize, Seed = settings.Seed, LimitTrain = settings.LimitTrain,
                LogInterval = settings.LogInterval,
            };
            bool interrupted = false;
            string? resumeWith = null;
            for (int epoch = start.Epoch; epoch < settings.Epochs; epoch++)
            {
                EpochPosition from = epoch == start.Epoch ? start.Position : default;
                EpochOutcome outcome = loop.RunEpoch(epoch, settings.Epochs, from, cancellation);
                EpochPosition position = outcome.Position;
                if (outcome.Interrupted)
                {
                    state = state with { Epoch = epoch, Step = loop.Step, Position = position };
                    string path = Save(state);
                    reporter.Note(
                        $"interrupted: stopped after batch {position.Batch}/{loop.Batches} of epoch {epoch + 1} (step {loop.Step}); " +
                        $"checkpoint written to {path}");
                    interrupted = true;
                    resumeWith = path;
                    break;
                }

                reporter.Evaluating(epoch + 1, evaluator.Count);
                EvaluationResult test = evaluator.Run();
                double trainLoss = position.LossSum / position.Batch;
                events.AddScalar("train/epoch_loss", (float)trainLoss, epoch + 1);
                events.AddScalar("test/loss", (float)test.Loss, epoch + 1);
                events.AddScalar("test/accuracy", (float)test.Accuracy, epoch + 1);
                history.AddEpoch(epoch + 1, trainLoss, test.Loss);
                state = state with
                {
                    Epoch = epoch + 1, Step = loop.Step, Position = default, TestLoss = test.Loss, TestAccuracy = test.Accuracy,
                };
                Save(state);
                var summary = new EpochSummary(epoch + 1, settings.Epochs, loop.Step, trainLoss, position.Batch, outcome.ImagesPerSecond, outcome.Seconds, test);
                epochs.Add(summary);
                reporter.EpochCompleted(summary);
                if (cancellation.IsCancellationRequested && epoch + 1 < settings.Epochs)
                {
                    resumeWith = Path.Combine(output, CheckpointStore.ModelFileName);
                    reporter.Note($"interrupted: stopped after epoch {epoch + 1} (step {loop.Step}); checkpoint written to {resumeWith}");
                    interrupted = true;
                    break;
                }
            }

            return new TrainingResult(state, epochs, interrupted, output)
            {
                ResumeWith = resumeWith is null ? null : ResumeCommand.Line(resumeWith, settings),
            };
        }

        /// <summary>The checkpoint pair, then the losses as CSV and PNG; returns the checkpoint's path.</summary>
        private string Save(TrainingState state)
        {
            string path = CheckpointStore.Save(output, model, optimizer, state, history);
            history.SaveCsv(Path.Combine(output, CsvFileName));
            history.SavePng(Path.Combine(output, PngFileName), "CIFAR-10 CNN: cross-entropy loss");
            events.Flush();
            return path;
        }
    }
}
