using System.Collections.Generic;
using System.Linq;
using FastLoss.Generators.Model;

namespace FastLoss.Generators.Emit;

/// <summary>
/// Emits the kernels of one elementwise activation: Forward (output = f(input)), Backward, which adds
/// outputGrad * f'(input) into inputGrad, and Gradient, which writes it (the first gradient to reach a tensor).
/// </summary>
internal static class ElementwiseActivationEmitter
{
    private const string Arguments = "global::FastLoss.Generation.ElementwiseArguments";

    public static string Emit(ElementwiseSpec spec)
    {
        var writer = new IndentedWriter();
        SourceFile.WriteHeader(writer, spec);
        writer.Open($"partial class {spec.ClassName}");

        var scalars = spec.Parameters.Where(p => p.Role == ParameterRole.Scalar).ToList();
        string extras = string.Concat(scalars.Select(p => $", float {p.Name}{(p.DefaultText is null ? string.Empty : " = " + p.DefaultText)}"));
        string inputName = spec.Parameters.First(p => p.Role == ParameterRole.Input).Name;

        IEnumerable<(string, string)> Hoisted(Width width) => width.IsScalar
            ? Enumerable.Empty<(string, string)>()
            : scalars.Select(p => (p.Name + "V", p.Name));

        string Args(Width width) => string.Join(", ", new[] { LoopWriter.Load(width, "inputRef") }
            .Concat(scalars.Select(p => width.IsScalar ? p.Name : p.Name + "V")));

        writer.Line("/// <summary>Writes f(input) to <paramref name=\"output\"/> (which may be <paramref name=\"input\"/> itself).</summary>");
        writer.Open($"public static void Forward(ReadOnlySpan<float> input, Span<float> output{extras})");
        writer.Line($"{Arguments}.RequireSameLength(input.Length, output.Length, nameof(output));");
        LoopWriter.Write(
            writer,
            new List<(string, string)> { ("input", "inputRef"), ("output", "outputRef") },
            Hoisted,
            width => new[] { LoopWriter.Store(width, $"Value({Args(width)})", "outputRef") },
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>Adds <paramref name=\"outputGrad\"/>[i] * f'(input[i]) into <paramref name=\"inputGrad\"/>[i].</summary>");
        writer.Open($"public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad{extras})");
        writer.Line($"{Arguments}.RequireSameLength(input.Length, outputGrad.Length, nameof(outputGrad));");
        writer.Line($"{Arguments}.RequireSameLength(input.Length, inputGrad.Length, nameof(inputGrad));");
        LoopWriter.Write(
            writer,
            new List<(string, string)> { ("input", "inputRef"), ("outputGrad", "outputGradRef"), ("inputGrad", "gradRef") },
            Hoisted,
            width => new[]
            {
                LoopWriter.Store(width, $"{LoopWriter.Load(width, "gradRef")} + ({LoopWriter.Load(width, "outputGradRef")} * Derivative({Args(width)}))", "gradRef"),
            },
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>Writes <paramref name=\"outputGrad\"/>[i] * f'(input[i]) to <paramref name=\"inputGrad\"/>[i] (the first gradient to reach the input).</summary>");
        writer.Open($"public static void Gradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad{extras})");
        writer.Line($"{Arguments}.RequireSameLength(input.Length, outputGrad.Length, nameof(outputGrad));");
        writer.Line($"{Arguments}.RequireSameLength(input.Length, inputGrad.Length, nameof(inputGrad));");
        LoopWriter.Write(
            writer,
            new List<(string, string)> { ("input", "inputRef"), ("outputGrad", "outputGradRef"), ("inputGrad", "gradRef") },
            Hoisted,
            width => new[]
            {
                LoopWriter.Store(width, $"{LoopWriter.Load(width, "outputGradRef")} * Derivative({Args(width)})", "gradRef"),
            },
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        if (spec.OutputDerivative is not null)
        {
            WriteFromOutput(writer, spec, extras, Hoisted, scalars.Select(p => p.Name).ToList());
        }

        var widths = spec.Vectorizable ? Width.Vectors.Concat(new[] { Width.Scalar }) : new[] { Width.Scalar };
        foreach (var width in widths)
        {
            string parameters = string.Join(", ", new[] { inputName }.Concat(scalars.Select(p => p.Name)).Select(name => $"{width.Type} {name}"));
            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open($"private static {width.Type} Value({parameters})");
            writer.Line($"return {ExpressionWriter.WriteBody(writer, width, spec.Formula)[0]};");
            writer.Close();
            writer.Line();
            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open($"private static {width.Type} Derivative({parameters})");
            writer.Line($"return {ExpressionWriter.WriteBody(writer, width, spec.Derivative)[0]};");
            writer.Close();
            writer.Line();
            if (spec.OutputDerivative is not null)
            {
                string outputParameters = string.Join(", ", scalars.Select(p => p.Name).Prepend("output").Select(name => $"{width.Type} {name}"));
                writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
                writer.Open($"private static {width.Type} DerivativeFromOutput({outputParameters})");
                writer.Line($"return {ExpressionWriter.WriteBody(writer, width, spec.OutputDerivative)[0]};");
                writer.Close();
                writer.Line();
            }
        }

        writer.Close();
        return writer.ToString();
    }

    /// <summary>BackwardFromOutput and GradientFromOutput: f' as a function of f's value, which backward already has.</summary>
    private static void WriteFromOutput(IndentedWriter writer, ElementwiseSpec spec, string extras, System.Func<Width, IEnumerable<(string, string)>> hoisted, List<string> scalars)
    {
        string Args(Width width) => string.Join(", ", scalars.Select(name => width.IsScalar ? name : name + "V")
            .Prepend(LoopWriter.Load(width, "outputRef")));
        for (int pass = 0; pass < 2; pass++)
        {
            bool accumulate = pass == 0;
            writer.Line(accumulate
                ? $"/// <summary>Adds <paramref name=\"outputGrad\"/>[i] * f'(x[i]) into <paramref name=\"inputGrad\"/>[i], with f' computed from <paramref name=\"output\"/> = f(x) ({ExpressionWriter.Describe(spec.OutputDerivative!)}).</summary>"
                : "/// <summary>Writes <paramref name=\"outputGrad\"/>[i] * f'(x[i]) to <paramref name=\"inputGrad\"/>[i], with f' computed from <paramref name=\"output\"/> = f(x).</summary>");
            writer.Open($"public static void {(accumulate ? "BackwardFromOutput" : "GradientFromOutput")}(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGrad, Span<float> inputGrad{extras})");
            writer.Line($"{Arguments}.RequireSameLength(output.Length, outputGrad.Length, nameof(outputGrad));");
            writer.Line($"{Arguments}.RequireSameLength(output.Length, inputGrad.Length, nameof(inputGrad));");
            LoopWriter.Write(
                writer,
                new List<(string, string)> { ("output", "outputRef"), ("outputGrad", "outputGradRef"), ("inputGrad", "gradRef") },
                hoisted,
                width => new[]
                {
                    LoopWriter.Store(
                        width,
                        accumulate
                            ? $"{LoopWriter.Load(width, "gradRef")} + ({LoopWriter.Load(width, "outputGradRef")} * DerivativeFromOutput({Args(width)}))"
                            : $"{LoopWriter.Load(width, "outputGradRef")} * DerivativeFromOutput({Args(width)})",
                        "gradRef"),
                },
                sums: false,
                spec.Vectorizable);
            writer.Close();
            writer.Line();
        }
    }
}
