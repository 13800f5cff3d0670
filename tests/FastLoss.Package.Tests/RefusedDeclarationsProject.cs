namespace FastLoss.Package.Tests;

/// <summary>A consumer whose build the package's generator and analyzer must refuse: one declaration for each.</summary>
internal static class RefusedDeclarationsProject
{
    public const string Name = "refused";

    /// <summary>Floor has no derivative rule: FL1003 at the call.</summary>
    public static readonly SourceFile Underivable = new("Rounded.cs", """
        using FastLoss.Generation;

        public static partial class Rounded
        {
            [ElementwiseLoss]
            private static float PerElement(float x, float y) => (x - y) * MathF.Floor(x - y);
        }
        """);

    /// <summary>A per-step method that allocates: FL4001 at the allocation.</summary>
    public static readonly SourceFile Allocating = new("Steps.cs", """
        using FastLoss.Generation;

        public static class Steps
        {
            [HotPath]
            public static float[] Step(int n) => new float[n];
        }
        """);

    public static readonly ConsumerProject Project = new(Name,
        [Underivable, Allocating, new SourceFile("Program.cs", "Console.WriteLine(Steps.Step(3).Length);\n")]);
}
