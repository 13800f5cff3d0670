using ScottPlot;

namespace FastLoss.Cli.Reporting;

/// <summary>
/// A loss curve (one or more series of loss against step or epoch) rendered to PNG with ScottPlot. It lives
/// in the command-line tool so the library itself does not depend on ScottPlot and SkiaSharp's native code.
/// </summary>
internal sealed class LossCurvePlot
{
    private readonly List<(string Label, double[] Xs, double[] Ys)> _series = [];

    public LossCurvePlot(string title = "Loss", string xLabel = "step", string yLabel = "loss")
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(xLabel);
        ArgumentNullException.ThrowIfNull(yLabel);
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
    }

    public string Title { get; }

    public string XLabel { get; }

    public string YLabel { get; }

    /// <summary>The number of series added.</summary>
    public int SeriesCount => _series.Count;

    /// <summary>
    /// Adds a series. Points whose x or y is NaN or infinite (a diverged step) are left out, so the finite part
    /// of the curve is still drawn; a series with no finite point is refused.
    /// </summary>
    public void AddSeries(string label, IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        if (xs.Count != ys.Count)
        {
            throw new ArgumentException($"Series '{label}' has {xs.Count} x values but {ys.Count} y values.", nameof(ys));
        }

        var keptX = new List<double>(xs.Count);
        var keptY = new List<double>(ys.Count);
        for (int i = 0; i < xs.Count; i++)
        {
            if (double.IsFinite(xs[i]) && double.IsFinite(ys[i]))
            {
                keptX.Add(xs[i]);
                keptY.Add(ys[i]);
            }
        }

        if (keptX.Count == 0)
        {
            throw new ArgumentException($"Series '{label}' has no point with a finite x and y ({xs.Count} points given).", nameof(ys));
        }

        _series.Add((label, [.. keptX], [.. keptY]));
    }

    /// <summary>
    /// Renders the plot to <paramref name="path"/> as a PNG of the given size. The image is written to a temporary
    /// file beside the target and renamed over it, so a reader never sees a half-written image.
    /// </summary>
    public void SavePng(string path, int width = 800, int height = 500)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (_series.Count == 0)
        {
            throw new InvalidOperationException("The loss curve has no series to plot; add one with AddSeries.");
        }

        if (width < 100 || height < 100 || width > 10_000 || height > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"The image size must be 100 to 10000 pixels each way, got {width}x{height}.");
        }

        using var plot = new Plot();
        foreach ((string label, double[] xs, double[] ys) in _series)
        {
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = label;
            scatter.LineWidth = 2;
            // Markers only where there are few points; a long curve reads better as a line.
            scatter.MarkerSize = xs.Length <= 50 ? 5 : 0;
        }

        plot.Title(Title);
        plot.XLabel(XLabel);
        plot.YLabel(YLabel);
        // Loss curves fall from the upper left, so the upper right is where the legend hides the least.
        plot.ShowLegend(Alignment.UpperRight);

        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileNameWithoutExtension(fullPath)}.{Guid.NewGuid():N}.tmp.png");
        try
        {
            plot.SavePng(temporary, width, height);
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
