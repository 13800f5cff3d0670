using System.Globalization;
using System.Text;
using FastLoss.Cli.Reporting;

namespace FastLoss.Cli.Training;

/// <summary>
/// The losses of a run for the loss curve: the running training loss every N batches, the mean training loss
/// and the test loss per epoch, all against the epoch (fractional within an epoch). Saved as a CSV that
/// <c>fastloss plot</c> reads, and drawn as a PNG.
/// </summary>
internal sealed class TrainingHistory
{
    public const string RunningSeries = "train (running)";
    public const string EpochSeries = "train (epoch mean)";
    public const string TestSeries = "test";
    private const string XColumn = "epoch";

    private readonly List<double> _runningX;
    private readonly List<double> _runningY;
    private readonly List<double> _epochX = [];
    private readonly List<double> _epochY = [];
    private readonly List<double> _testX = [];
    private readonly List<double> _testY = [];

    /// <param name="expectedRunningPoints">Room reserved for the running-loss points, so recording one never grows the list.</param>
    public TrainingHistory(int expectedRunningPoints)
    {
        _runningX = new List<double>(expectedRunningPoints);
        _runningY = new List<double>(expectedRunningPoints);
    }

    public int RunningCount => _runningX.Count;

    public int EpochCount => _epochX.Count;

    public void AddRunning(double epoch, double loss)
    {
        _runningX.Add(epoch);
        _runningY.Add(loss);
    }

    public void AddEpoch(int epoch, double trainLoss, double testLoss)
    {
        _epochX.Add(epoch);
        _epochY.Add(trainLoss);
        _testX.Add(epoch);
        _testY.Add(testLoss);
    }

    /// <summary>
    /// The history saved by an earlier part of the run, up to <paramref name="upTo"/> (the epoch position of the
    /// checkpoint resumed from); empty when the file does not exist.
    /// </summary>
    public static TrainingHistory ReadOrEmpty(string csvPath, double upTo, int expectedRunningPoints)
    {
        var history = new TrainingHistory(expectedRunningPoints);
        if (!File.Exists(csvPath))
        {
            return history;
        }

        LossTable table = LossTable.Read(csvPath);
        foreach ((string name, List<double> xs, List<double> ys) in table.Series)
        {
            (List<double> X, List<double> Y)? target = name switch
            {
                RunningSeries => (history._runningX, history._runningY),
                EpochSeries => (history._epochX, history._epochY),
                TestSeries => (history._testX, history._testY),
                _ => null,
            };
            if (target is not { } lists)
            {
                throw new InvalidDataException($"'{csvPath}' has a column '{name}', which a training run does not write.");
            }

            for (int i = 0; i < xs.Count; i++)
            {
                if (xs[i] <= upTo + 1e-9)
                {
                    lists.X.Add(xs[i]);
                    lists.Y.Add(ys[i]);
                }
            }
        }

        return history;
    }

    /// <summary>Writes the CSV (header <c>epoch,train (running),train (epoch mean),test</c>, one point per row), atomically.</summary>
    public void SaveCsv(string path) => AtomicFile.WriteAllText(path, CsvText());

    /// <summary>The CSV, written to <paramref name="stream"/> (a checkpoint keeps the history of its step).</summary>
    public void WriteCsv(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] bytes = Encoding.UTF8.GetBytes(CsvText());
        stream.Write(bytes);
    }

    private string CsvText()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{XColumn},{RunningSeries},{EpochSeries},{TestSeries}\n");
        AppendRows(text, _runningX, _runningY, column: 0);
        AppendRows(text, _epochX, _epochY, column: 1);
        AppendRows(text, _testX, _testY, column: 2);
        return text.ToString();
    }

    /// <summary>Draws the loss curve to a PNG; nothing is drawn before the first point.</summary>
    public bool SavePng(string path, string title)
    {
        var plot = new LossCurvePlot(title, "epoch", "cross-entropy loss");
        AddIfAny(plot, RunningSeries, _runningX, _runningY);
        AddIfAny(plot, EpochSeries, _epochX, _epochY);
        AddIfAny(plot, TestSeries, _testX, _testY);
        if (plot.SeriesCount == 0)
        {
            return false;
        }

        plot.SavePng(path, 900, 560);
        return true;
    }

    private static void AddIfAny(LossCurvePlot plot, string name, List<double> xs, List<double> ys)
    {
        for (int i = 0; i < ys.Count; i++)
        {
            if (double.IsFinite(ys[i]))
            {
                plot.AddSeries(name, xs, ys);
                return;
            }
        }
    }

    private static void AppendRows(StringBuilder text, List<double> xs, List<double> ys, int column)
    {
        for (int i = 0; i < xs.Count; i++)
        {
            text.Append(xs[i].ToString("R", CultureInfo.InvariantCulture));
            for (int c = 0; c < 3; c++)
            {
                text.Append(',');
                if (c == column)
                {
                    text.Append(ys[i].ToString("R", CultureInfo.InvariantCulture));
                }
            }

            text.Append('\n');
        }
    }
}
