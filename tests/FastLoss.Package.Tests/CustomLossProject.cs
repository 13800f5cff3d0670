namespace FastLoss.Package.Tests;

/// <summary>
/// A consumer that declares losses of its own with the generator the package carries: the pseudo-Huber loss
/// delta^2 (sqrt(1 + ((x - y) / delta)^2) - 1) as an elementwise declaration, and the multi-class Brier score
/// w[y] * sum_c (p_c - [c == y])^2 as a class loss over its own hand-written row kernels (a vectorized one for
/// contiguous rows, a scalar one for every layout). It prints what the generated span functions and a module over
/// the generated kernel compute, one "name: values" line each.
/// </summary>
internal static class CustomLossProject
{
    public const string Name = "custom-loss";

    /// <summary>The length of the long case: three 16-lane, 8-lane and 4-lane blocks and a scalar tail.</summary>
    public const int LongLength = 16 + 8 + 4 + 3;

    /// <summary>The rows of the long Brier case, each of <see cref="LongLength"/> classes.</summary>
    public const int LongRows = 5;

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
        new SourceFile("Brier.cs", """
            using FastLoss.Functional;
            using FastLoss.Generation;

            namespace Consumer;

            /// <summary>The Brier score of class probabilities against class-index targets.</summary>
            [ClassLoss("probabilities", typeof(BrierRows), ContiguousKernels = typeof(BrierContiguousRows<,>))]
            public static partial class Brier;

            public readonly ref struct BrierOptions : IClassLossOptions
            {
                private readonly long? _ignoreIndex;

                public ReadOnlySpan<float> Weight { get; init; }

                public long IgnoreIndex
                {
                    get => _ignoreIndex ?? -100;
                    init => _ignoreIndex = value;
                }
            }

            internal ref struct BrierPass : IClassLossPass<BrierOptions, BrierPass>
            {
                public ReadOnlySpan<float> Weight;
                public long IgnoreIndex;
                public float GradientScale;
                public ReadOnlySpan<float> EntryUpstream;
                public Span<float> EntryLosses;
                public Span<float> Gradient;

                public static void CheckOptions(BrierOptions options, int classes, bool probabilityTargets) =>
                    ClassLossArguments.RequireWeight(options.Weight, classes, probabilityTargets);

                public static BrierPass Create(
                    ClassLayout layout, BrierOptions options, float gradientScale,
                    Span<float> entryLosses, Span<float> gradient, ReadOnlySpan<float> entryUpstream) =>
                    new()
                    {
                        Weight = options.Weight,
                        IgnoreIndex = options.IgnoreIndex,
                        GradientScale = gradientScale,
                        EntryUpstream = entryUpstream,
                        EntryLosses = entryLosses,
                        Gradient = gradient,
                    };

                /// <summary>The entry's weight, its loss from the row's sum of squares and target probability, and its gradient factor.</summary>
                public float Finish(int entry, long target, float squares, float atTarget, out float gradientFactor)
                {
                    float w = Weight.IsEmpty ? 1f : Weight[(int)target];
                    float loss = w * (squares + 1f - (2f * atTarget));
                    if (!EntryLosses.IsEmpty)
                    {
                        EntryLosses[entry] = loss;
                    }

                    gradientFactor = 2f * w * GradientScale * (EntryUpstream.IsEmpty ? 1f : EntryUpstream[entry]);
                    return loss;
                }
            }

            /// <summary>Every layout, one element at a time.</summary>
            internal readonly struct BrierRows : IIndexTargetRows<BrierPass>
            {
                public static double IndexTargets(ReadOnlySpan<float> p, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref BrierPass pass)
                {
                    double total = 0;
                    for (int b = 0; b < layout.Batch; b++)
                    {
                        for (int i = 0; i < layout.Inner; i++)
                        {
                            int entry = (b * layout.Inner) + i;
                            int at(int c) => (((b * layout.Classes) + c) * layout.Inner) + i;
                            long target = targets[entry];
                            if (target == pass.IgnoreIndex)
                            {
                                if (!pass.EntryLosses.IsEmpty)
                                {
                                    pass.EntryLosses[entry] = 0f;
                                }

                                for (int c = 0; c < layout.Classes && !pass.Gradient.IsEmpty; c++)
                                {
                                    pass.Gradient[at(c)] = 0f;
                                }

                                continue;
                            }

                            float squares = 0f;
                            for (int c = 0; c < layout.Classes; c++)
                            {
                                squares += p[at(c)] * p[at(c)];
                            }

                            total += pass.Finish(entry, target, squares, p[at((int)target)], out float factor);
                            for (int c = 0; c < layout.Classes && !pass.Gradient.IsEmpty; c++)
                            {
                                pass.Gradient[at(c)] = factor * (p[at(c)] - (c == target ? 1f : 0f));
                            }
                        }
                    }

                    return total;
                }
            }

            /// <summary>Rows of contiguous classes, vectorized over the classes at the width the generated code picks.</summary>
            internal readonly struct BrierContiguousRows<TL, TV> : IIndexTargetRows<BrierPass>
                where TL : struct, IFloatLanes<TV>
                where TV : struct
            {
                public static double IndexTargets(ReadOnlySpan<float> p, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref BrierPass pass)
                {
                    int classes = layout.Classes;
                    int whole = classes - (classes % TL.Count);
                    double total = 0;
                    for (int n = 0; n < layout.Batch; n++)
                    {
                        ref float row = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(p.Slice(n * classes, classes));
                        long target = targets[n];
                        if (target == pass.IgnoreIndex)
                        {
                            if (!pass.EntryLosses.IsEmpty)
                            {
                                pass.EntryLosses[n] = 0f;
                            }

                            if (!pass.Gradient.IsEmpty)
                            {
                                pass.Gradient.Slice(n * classes, classes).Clear();
                            }

                            continue;
                        }

                        TV sum = TL.Broadcast(0f);
                        for (int c = 0; c < whole; c += TL.Count)
                        {
                            TV v = TL.Load(ref row, (nuint)c);
                            sum = TL.MultiplyAdd(v, v, sum);
                        }

                        float squares = TL.Sum(sum);
                        for (int c = whole; c < classes; c++)
                        {
                            squares += p[(n * classes) + c] * p[(n * classes) + c];
                        }

                        total += pass.Finish(n, target, squares, p[(n * classes) + (int)target], out float factor);
                        if (!pass.Gradient.IsEmpty)
                        {
                            ref float g = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(pass.Gradient.Slice(n * classes, classes));
                            TV f = TL.Broadcast(factor);
                            for (int c = 0; c < whole; c += TL.Count)
                            {
                                TL.Store(TL.Multiply(f, TL.Load(ref row, (nuint)c)), ref g, (nuint)c);
                            }

                            for (int c = whole; c < classes; c++)
                            {
                                pass.Gradient[(n * classes) + c] = factor * p[(n * classes) + c];
                            }

                            pass.Gradient[(n * classes) + (int)target] -= factor;
                        }
                    }

                    return total;
                }
            }
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

            // The Brier score: rows of 3 contiguous classes, then the same probabilities with classes strided.
            float[] p = [0.7f, 0.2f, 0.1f, 0.1f, 0.5f, 0.4f];
            long[] labels = [0, 2];
            var rows = new FastLoss.Functional.ClassLayout(2, 3, 1);
            Print("brier mean", Brier.Forward(p, rows, labels));
            float[] entries = new float[2], pGradient = new float[6];
            Brier.ForwardNone(p, rows, labels, entries);
            Print("brier none", entries);
            Print("brier fused", Brier.ForwardBackward(p, rows, labels, pGradient));
            Print("brier gradient", pGradient);
            float[] weights = [2f, 1f, 0.5f];
            Print("brier weighted", Brier.Forward(p, rows, labels, new BrierOptions { Weight = weights }));
            Print("brier ignored", Brier.Forward(p, rows, [0, 7], new BrierOptions { IgnoreIndex = 7 }));
            float[] strided = [0.7f, 0.1f, 0.2f, 0.5f, 0.1f, 0.4f];
            float[] stridedGradient = new float[6];
            Print("brier strided", Brier.ForwardBackward(strided, new FastLoss.Functional.ClassLayout(1, 3, 2), labels, stridedGradient));
            Print("brier strided gradient", stridedGradient);
            try
            {
                Brier.Forward(p, rows, [0, 3]);
            }
            catch (ArgumentOutOfRangeException e)
            {
                Console.WriteLine($"brier refused: {e.Message}");
            }

            float[] q = new float[{{LongRows}} * {{LongLength}}], qGradient = new float[q.Length];
            long[] qLabels = new long[{{LongRows}}];
            for (int i = 0; i < q.Length; i++)
            {
                q[i] = 0.5f + (0.5f * MathF.Sin(i));
            }

            for (int n = 0; n < qLabels.Length; n++)
            {
                qLabels[n] = (n * 7) % {{LongLength}};
            }

            Print("brier long p", q);
            Print("brier long labels", [.. qLabels.Select(l => (float)l)]);
            Print("brier long sum", Brier.ForwardBackward(q, new FastLoss.Functional.ClassLayout({{LongRows}}, {{LongLength}}, 1), qLabels, qGradient, reduction: Reduction.Sum));
            Print("brier long gradient", qGradient);

            static void Print(string name, params float[] values) =>
                Console.WriteLine($"{name}: {string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");
            """),
    ]);
}
