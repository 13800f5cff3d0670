using System.Globalization;

namespace FastLoss.Cli.Reporting;

/// <summary>
/// Loss values as a CSV table: a header row naming the x column then one column per series
/// (<c>step,train,test</c>), then one row per x value. An empty cell means that series has no value there.
/// </summary>
internal sealed class LossTable
{
    private LossTable(string xLabel, List<(string Name, List<double> Xs, List<double> Ys)> series)
    {
        XLabel = xLabel;
        Series = series;
    }

    /// <summary>The x column's name (e.g. step or epoch).</summary>
    public string XLabel { get; }

    /// <summary>The series by column, with the rows where each has a value.</summary>
    public IReadOnlyList<(string Name, List<double> Xs, List<double> Ys)> Series { get; }

    public static LossTable Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        int lineNumber = 0;
        string[]? header = null;
        List<(string Name, List<double> Xs, List<double> Ys)> series = [];
        foreach (string line in lines)
        {
            lineNumber++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            string[] cells = line.Split(',');
            if (header is null)
            {
                header = [.. cells.Select(c => c.Trim())];
                if (header.Length < 2 || header.Any(h => h.Length == 0))
                {
                    throw new InvalidDataException(
                        $"'{path}' line {lineNumber}: the header must name the x column and at least one series, e.g. 'step,loss'; got '{line}'.");
                }

                series = [.. header.Skip(1).Select(name => (name, new List<double>(), new List<double>()))];
                continue;
            }

            if (cells.Length != header.Length)
            {
                throw new InvalidDataException(
                    $"'{path}' line {lineNumber}: {cells.Length} cells, but the header has {header.Length} columns.");
            }

            double x = Number(path, lineNumber, header[0], cells[0]) ??
                throw new InvalidDataException($"'{path}' line {lineNumber}: the {header[0]} cell is empty.");
            for (int column = 1; column < cells.Length; column++)
            {
                if (Number(path, lineNumber, header[column], cells[column]) is { } y)
                {
                    series[column - 1].Xs.Add(x);
                    series[column - 1].Ys.Add(y);
                }
            }
        }

        if (header is null)
        {
            throw new InvalidDataException($"'{path}' is empty: expected a header such as 'step,loss' and rows of numbers.");
        }

        return new LossTable(header[0], series);
    }

    private static double? Number(string path, int lineNumber, string column, string cell)
    {
        string text = cell.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw new InvalidDataException($"'{path}' line {lineNumber}, column '{column}': '{text}' is not a number.");
        }

        return value;
    }
}
