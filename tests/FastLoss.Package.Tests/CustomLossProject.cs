namespace FastLoss.Package.Tests;

/// <summary>
/// A consumer that declares a loss of its own, the pseudo-Huber loss delta^2 (sqrt(1 + ((x - y) / delta)^2) - 1), with
/// the generator the package carries, and prints what the generated span functions and a module over the generated
/// kernel compute, one "name: values" line each.
/// </summary>
internal static class CustomLossProject
{
    public const string Name = "custom-loss";

    /// <summary>The length of the long case: three 16-lane, 8-lane and 4-lane blocks and a scalar tail.</summary>
    public const int LongLength = 16 + 8 + 4 + 3;

    public static readonly ConsumerProject Project = new(Name,
    [
        new SourceFile("PseudoHuber.cs", """
            using FastLoss;
            using FastLoss.Generation;
            using FastLoss.NN;

            namespace Consumer;

            public static partial class PseudoHuber
            {
                [ElementwiseLoss]
                private static float PerElement(float x, float y, float delta = 1f) =>
                    delta * delta * (MathF.Sqrt(1f + ((x - y) / delta * ((x - y) / delta))) - 1f);
            }

            public sealed class PseudoHuberLoss(float delta) : ElementwiseLoss<PseudoHuber.Kernel>(Reduction.Mean, delta);
            """),
        new SourceFile("Program.cs", $$"""
            using System.Globalization;
            using Consumer;
            using FastLoss;

            float[] x = [0f, 1f, 3f];
            float[] y = [0f, 0f, -1f];
            Print("mean", PseudoHuber.Forward(x, y, Reduction.Mean, delta: 2f));
            Print("sum", PseudoHuber.Forward(x, y, Reduction.Sum, delta: 2f));
            float[] perElement = new float[3];
            PseudoHuber.ForwardNone(x, y, perElement, delta: 2f);
            Print("none", perElement);
            float[] gradient = new float[3];
            PseudoHuber.Backward(x, y, gradient, Reduction.Mean, delta: 2f);
            Print("mean gradient", gradient);

            var input = Tensor.FromValues(x, 3);
            input.RequiresGrad = true;
            var loss = new PseudoHuberLoss(2f).Forward(input, Tensor.FromValues(y, 3));
            loss.Backward();
            Print("module", loss.Item());
            Print("module gradient", input.Grad!.ToArray());

            float[] u = new float[{{LongLength}}], v = new float[{{LongLength}}], uGradient = new float[{{LongLength}}];
            for (int i = 0; i < u.Length; i++)
            {
                u[i] = (i - 15) * 0.37f;
                v[i] = MathF.Cos(i);
            }

            Print("long x", u);
            Print("long y", v);
            Print("long fused", PseudoHuber.ForwardBackward(u, v, uGradient));
            Print("long fused gradient", uGradient);

            static void Print(string name, params float[] values) =>
                Console.WriteLine($"{name}: {string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");
            """),
    ]);
}
