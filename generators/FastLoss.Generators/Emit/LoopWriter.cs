using System;
using System.Collections.Generic;

namespace FastLoss.Generators.Emit;

/// <summary>
/// Writes the one loop shape every generated kernel uses: the widest accelerated vector loop over whole vectors,
/// then a scalar tail (never an overlapping last vector: sums and += would count elements twice).
/// A loop either writes per element or also accumulates a sum, folded into a double every
/// FlushInterval vectors so long sums keep float32 rounding bounded.
/// </summary>
internal static class LoopWriter
{
    /// <param name="writer">Where to write.</param>
    /// <param name="refs">Spans to address by ref inside the loop: (span name, ref local name); the first gives the length.</param>
    /// <param name="hoisted">Per width, scalar values broadcast once before the loop: (local name, scalar expression).</param>
    /// <param name="body">Per width, the statements of one step at index <c>i</c>; a summing loop's body adds to <c>acc</c> (vector) or <c>total</c> (scalar).</param>
    /// <param name="sums">Whether the loop accumulates <c>total</c>.</param>
    /// <param name="vectorize">False for formulas with no vector form.</param>
    public static void Write(
        IndentedWriter writer,
        IReadOnlyList<(string Span, string Ref)> refs,
        Func<Width, IEnumerable<(string Name, string Value)>> hoisted,
        Func<Width, IEnumerable<string>> body,
        bool sums,
        bool vectorize)
    {
        writer.Line($"int n = {refs[0].Span}.Length;");
        writer.Line("int i = 0;");
        if (sums)
        {
            writer.Line("double total = 0;");
        }

        foreach (var (span, refName) in refs)
        {
            writer.Line($"ref float {refName} = ref MemoryMarshal.GetReference({span});");
        }

        if (vectorize)
        {
            bool first = true;
            foreach (var width in Width.Vectors)
            {
                writer.Open($"{(first ? "if" : "else if")} ({width.VectorClass}.IsHardwareAccelerated && n >= {width.Count})");
                first = false;
                foreach (var (name, value) in hoisted(width))
                {
                    writer.Line($"var {name} = {width.VectorClass}.Create({value});");
                }

                if (sums)
                {
                    writer.Line($"var acc = {width.Type}.Zero;");
                    writer.Line("int pending = 0;");
                }

                writer.Open($"for (; i <= n - {width.Count}; i += {width.Count})");
                foreach (string statement in body(width))
                {
                    writer.Line(statement);
                }

                if (sums)
                {
                    writer.Open("if (++pending == global::FastLoss.Generation.ElementwiseArguments.FlushInterval)");
                    writer.Line($"total += {width.VectorClass}.Sum(acc);");
                    writer.Line($"acc = {width.Type}.Zero;");
                    writer.Line("pending = 0;");
                    writer.Close();
                }

                writer.Close();
                if (sums)
                {
                    writer.Line();
                    writer.Line($"total += {width.VectorClass}.Sum(acc);");
                }

                writer.Close();
            }

            writer.Line();
        }

        writer.Open("for (; i < n; i++)");
        foreach (string statement in body(Width.Scalar))
        {
            writer.Line(statement);
        }

        writer.Close();
        if (sums)
        {
            writer.Line();
            writer.Line("return total;");
        }
    }

    /// <summary>How a stream is read at index i in a width: a vector load or an element read.</summary>
    public static string Load(Width width, string refName) => width.IsScalar
        ? $"Unsafe.Add(ref {refName}, i)"
        : $"{width.VectorClass}.LoadUnsafe(ref {refName}, (nuint)i)";

    /// <summary>How a value is stored at index i in a width.</summary>
    public static string Store(Width width, string value, string refName) => width.IsScalar
        ? $"Unsafe.Add(ref {refName}, i) = {value};"
        : $"({value}).StoreUnsafe(ref {refName}, (nuint)i);";
}
