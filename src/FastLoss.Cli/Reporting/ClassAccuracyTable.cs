using FastLoss.Cli.Training;
using Spectre.Console;

namespace FastLoss.Cli.Reporting;

/// <summary>Accuracy per class of an evaluation, as aligned text or as a terminal table.</summary>
internal static class ClassAccuracyTable
{
    /// <summary>
    /// Writes one row per class and a total row:
    /// <code>
    /// class        correct  total  accuracy
    /// airplane         512   1000    51.20%
    /// </code>
    /// </summary>
    public static void WriteText(TextWriter output, EvaluationResult result, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(classNames);
        int nameWidth = "class".Length;
        foreach (string name in classNames)
        {
            nameWidth = Math.Max(nameWidth, name.Length);
        }

        nameWidth = Math.Max(nameWidth, "all".Length);
        output.WriteLine($"{"class".PadRight(nameWidth)}  {"correct",7}  {"total",6}  {"accuracy",8}");
        for (int c = 0; c < result.TotalByClass.Count; c++)
        {
            output.WriteLine(Row(Name(classNames, c).PadRight(nameWidth), result.CorrectByClass[c], result.TotalByClass[c], result.ClassAccuracy(c)));
        }

        output.WriteLine(Row("all".PadRight(nameWidth), result.Correct, result.Total, result.Accuracy));
    }

    /// <summary>The same table for a terminal.</summary>
    public static Table Create(EvaluationResult result, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(classNames);
        var table = new Table().Title("test accuracy per class");
        table.AddColumn("class");
        table.AddColumn(new TableColumn("correct").RightAligned());
        table.AddColumn(new TableColumn("total").RightAligned());
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        for (int c = 0; c < result.TotalByClass.Count; c++)
        {
            table.AddRow(
                Markup.Escape(Name(classNames, c)), Figures.Count(result.CorrectByClass[c]), Figures.Count(result.TotalByClass[c]),
                Figures.Percent(result.ClassAccuracy(c)));
        }

        table.AddEmptyRow();
        table.AddRow("[bold]all[/]", Figures.Count(result.Correct), Figures.Count(result.Total), $"[bold]{Figures.Percent(result.Accuracy)}[/]");
        return table;
    }

    private static string Name(IReadOnlyList<string> classNames, int label) =>
        label < classNames.Count ? classNames[label] : Figures.Count(label);

    private static string Row(string name, int correct, int total, double accuracy) =>
        $"{name}  {Figures.Count(correct),7}  {Figures.Count(total),6}  {Figures.Percent(accuracy),8}";
}
