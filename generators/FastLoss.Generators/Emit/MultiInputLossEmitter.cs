using System;
using System.Collections.Generic;
using System.Linq;
using FastLoss.Generators.Calculus;
using FastLoss.Generators.Model;

namespace FastLoss.Generators.Emit;

/// <summary>
/// Emits the kernels of a loss of several differentiable inputs (MarginRankingLoss' input1 and input2): the span
/// API over the inputs (named as the declaration names them) and the target, every input's gradient written in the same pass as the
/// loss, and one loop per combination of the flags. Options are scalars and flags (no per-element spans).
/// </summary>
internal static class MultiInputLossEmitter
{
    private const string ReductionType = "global::FastLoss.Reduction";
    private const string Arguments = "global::FastLoss.Generation.ElementwiseArguments";

    public static string Emit(ElementwiseSpec spec)
    {
        var writer = new IndentedWriter();
        SourceFile.WriteHeader(writer, spec);
        writer.Open($"partial class {spec.ClassName}");

        var shape = new Shape(spec);
        var variants = FlagVariant.All(spec);
        WritePublicApi(writer, spec, shape, variants);
        foreach (var variant in variants)
        {
            WriteLoops(writer, spec, shape, variant);
        }

        foreach (var variant in variants)
        {
            WriteElementFunctions(writer, spec, shape, variant);
        }

        writer.Close();
        return writer.ToString();
    }

    private static void WritePublicApi(IndentedWriter writer, ElementwiseSpec spec, Shape shape, IReadOnlyList<FlagVariant> variants)
    {
        string extras = shape.ExtraParameters;
        string spans = shape.InputSpans;
        string grads = string.Join(", ", shape.Inputs.Select(name => $"Span<float> {name}Grad"));
        string gradArguments = string.Join(", ", shape.Inputs.Select(name => name + "Grad"));
        string first = shape.Inputs[0];

        writer.Line($"/// <summary>The {spec.ClassName} loss reduced by <paramref name=\"reduction\"/> (Sum or Mean; the mean of nothing is NaN).</summary>");
        writer.Open($"public static float Forward({spans}, {ReductionType} reduction = {ReductionType}.Mean{extras})");
        writer.Line($"{Arguments}.RequireReduced(reduction);");
        WriteChecks(writer, spec, shape);
        Dispatch(writer, spec, variants, "double total = ", "SumOf", shape.LoopArguments);
        writer.Line($"return {Arguments}.Reduce(total, {first}.Length, reduction);");
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>The per-element losses (reduction none), written to <paramref name=\"loss\"/>.</summary>");
        writer.Open($"public static void ForwardNone({spans}, Span<float> loss{extras})");
        WriteChecks(writer, spec, shape, "loss");
        Dispatch(writer, spec, variants, string.Empty, "WriteLosses", shape.LoopArguments + ", loss");
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>d(reduced loss)/d(each input) times <paramref name=\"upstream\"/>, written to the inputs' gradients.</summary>");
        writer.Open($"public static void Backward({spans}, {grads}, {ReductionType} reduction = {ReductionType}.Mean, float upstream = 1f{extras})");
        WriteChecks(writer, spec, shape, shape.Inputs.Select(name => name + "Grad").ToArray());
        writer.Line($"float scale = {Arguments}.GradientScale({first}.Length, reduction, upstream);");
        Dispatch(writer, spec, variants, string.Empty, "WriteGradients", shape.LoopArguments + ", scale, " + gradArguments);
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>For reduction none: <paramref name=\"upstream\"/>[i] times each input's d loss[i] / d input[i].</summary>");
        writer.Open($"public static void BackwardNone({spans}, ReadOnlySpan<float> upstream, {grads}{extras})");
        WriteChecks(writer, spec, shape, shape.Inputs.Select(name => name + "Grad").Prepend("upstream").ToArray());
        Dispatch(writer, spec, variants, string.Empty, "WriteGradientsTimesUpstream", shape.LoopArguments + ", upstream, " + gradArguments);
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>The reduced loss, with d(loss)/d(each input) written to the inputs' gradients in the same pass.</summary>");
        writer.Open($"public static float ForwardBackward({spans}, {grads}, {ReductionType} reduction = {ReductionType}.Mean{extras})");
        writer.Line($"{Arguments}.RequireReduced(reduction);");
        WriteChecks(writer, spec, shape, shape.Inputs.Select(name => name + "Grad").ToArray());
        writer.Line($"float scale = {Arguments}.GradientScale({first}.Length, reduction, 1f);");
        Dispatch(writer, spec, variants, "double total = ", "SumAndWriteGradients", shape.LoopArguments + ", scale, " + gradArguments);
        writer.Line($"return {Arguments}.Reduce(total, {first}.Length, reduction);");
        writer.Close();
        writer.Line();

        if (spec.Target != TargetRole.Differentiable)
        {
            return;
        }

        writer.Line("/// <summary>d(reduced loss)/d(target) times <paramref name=\"upstream\"/>, written to <paramref name=\"targetGrad\"/>.</summary>");
        writer.Open($"public static void TargetBackward({spans}, Span<float> targetGrad, {ReductionType} reduction = {ReductionType}.Mean, float upstream = 1f{extras})");
        WriteChecks(writer, spec, shape, "targetGrad");
        writer.Line($"float scale = {Arguments}.GradientScale({first}.Length, reduction, upstream);");
        Dispatch(writer, spec, variants, string.Empty, "WriteTargetGradients", shape.LoopArguments + ", scale, targetGrad");
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>For reduction none: <paramref name=\"upstream\"/>[i] * d loss[i] / d target[i], written to <paramref name=\"targetGrad\"/>.</summary>");
        writer.Open($"public static void TargetBackwardNone({spans}, ReadOnlySpan<float> upstream, Span<float> targetGrad{extras})");
        WriteChecks(writer, spec, shape, "upstream", "targetGrad");
        Dispatch(writer, spec, variants, string.Empty, "WriteTargetGradientsTimesUpstream", shape.LoopArguments + ", upstream, targetGrad");
        writer.Close();
        writer.Line();
    }

    private static void WriteChecks(IndentedWriter writer, ElementwiseSpec spec, Shape shape, params string[] outputs)
    {
        if (spec.OptionCheck is not null)
        {
            writer.Line($"{spec.OptionCheck}({string.Join(", ", shape.Scalars)});");
        }

        string first = shape.Inputs[0];
        foreach (string name in shape.Inputs.Skip(1).Append("target").Concat(outputs))
        {
            writer.Line($"{Arguments}.RequireSameLength({first}.Length, {name}.Length, nameof({name}));");
        }

        foreach (var parameter in spec.Parameters.Where(p => p.NonNegative))
        {
            string name = parameter.Role == ParameterRole.Target ? "target" : parameter.Name;
            writer.Line($"{Arguments}.RequireNonNegative({name}, nameof({name}));");
        }
    }

    /// <summary>Calls the loop specialised for the flags' values.</summary>
    private static void Dispatch(IndentedWriter writer, ElementwiseSpec spec, IReadOnlyList<FlagVariant> variants, string assign, string loop, string arguments)
    {
        if (variants.Count == 1)
        {
            writer.Line($"{assign}{loop}({arguments});");
            return;
        }

        if (assign.Length > 0)
        {
            writer.Line(assign.TrimEnd(' ', '=').Trim() + ";");
        }

        string target = assign.Replace("double ", string.Empty);
        for (int v = 0; v < variants.Count; v++)
        {
            string condition = string.Join(" && ", spec.Parameters.Where(p => p.Role == ParameterRole.Flag)
                .Select(p => variants[v].FlagsSet.Contains(p.Name) ? p.Name : "!" + p.Name));
            writer.Line(v == 0 ? $"if ({condition})" : v == variants.Count - 1 ? "else" : $"else if ({condition})");
            writer.Open();
            writer.Line($"{target}{loop}{variants[v].Suffix}({arguments});");
            writer.Close();
        }
    }

    private static void WriteLoops(IndentedWriter writer, ElementwiseSpec spec, Shape shape, FlagVariant variant)
    {
        string parameters = shape.LoopParameters;
        string grads = string.Join(", ", shape.Inputs.Select(name => $"Span<float> {name}Grad"));
        var streams = shape.Inputs.Select(name => (name, name + "Ref")).Concat(new[] { ("target", "targetRef") }).ToList();
        var gradStreams = shape.Inputs.Select(name => (name + "Grad", name + "GradRef")).ToList();
        Func<Width, IEnumerable<(string Name, string Value)>> scaled = width => shape.Hoisted(width).Concat(new[] { ("scaleV", "scale") });
        string suffix = variant.Suffix;
        string Scale(Width width) => width.IsScalar ? "scale" : "scaleV";

        writer.Line($"private static double SumOf{suffix}({parameters})");
        writer.Open();
        LoopWriter.Write(writer, streams, shape.Hoisted, width => new[] { $"{(width.IsScalar ? "total" : "acc")} += ElementLoss{suffix}({shape.ElementArguments(width)});" }, sums: true, spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line($"private static void WriteLosses{suffix}({parameters}, Span<float> loss)");
        writer.Open();
        LoopWriter.Write(writer, streams.Concat(new[] { ("loss", "lossRef") }).ToList(), shape.Hoisted, width => new[] { LoopWriter.Store(width, $"ElementLoss{suffix}({shape.ElementArguments(width)})", "lossRef") }, sums: false, spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line($"private static void WriteGradients{suffix}({parameters}, float scale, {grads})");
        writer.Open();
        LoopWriter.Write(
            writer,
            streams.Concat(gradStreams).ToList(),
            scaled,
            width => new[] { $"ElementGradients{suffix}({shape.ElementArguments(width)}, {shape.OutGradients});" }
                .Concat(StoreGradients(shape, width, Scale(width))),
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line($"private static void WriteGradientsTimesUpstream{suffix}({parameters}, ReadOnlySpan<float> upstream, {grads})");
        writer.Open();
        LoopWriter.Write(
            writer,
            streams.Concat(new[] { ("upstream", "upstreamRef") }).Concat(gradStreams).ToList(),
            shape.Hoisted,
            width => new[]
            {
                $"var upstreamValue = {LoopWriter.Load(width, "upstreamRef")};",
                $"ElementGradients{suffix}({shape.ElementArguments(width)}, {shape.OutGradients});",
            }.Concat(StoreGradients(shape, width, "upstreamValue")),
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line($"private static double SumAndWriteGradients{suffix}({parameters}, float scale, {grads})");
        writer.Open();
        LoopWriter.Write(
            writer,
            streams.Concat(gradStreams).ToList(),
            scaled,
            width => new[] { $"{(width.IsScalar ? "total" : "acc")} += ElementLossAndGradients{suffix}({shape.ElementArguments(width)}, {shape.OutGradients});" }
                .Concat(StoreGradients(shape, width, Scale(width))),
            sums: true,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        if (spec.Target != TargetRole.Differentiable)
        {
            return;
        }

        writer.Line($"private static void WriteTargetGradients{suffix}({parameters}, float scale, Span<float> targetGrad)");
        writer.Open();
        LoopWriter.Write(
            writer,
            streams.Concat(new[] { ("targetGrad", "targetGradRef") }).ToList(),
            scaled,
            width => new[] { LoopWriter.Store(width, $"{Scale(width)} * ElementTargetGradient{suffix}({shape.ElementArguments(width)})", "targetGradRef") },
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line($"private static void WriteTargetGradientsTimesUpstream{suffix}({parameters}, ReadOnlySpan<float> upstream, Span<float> targetGrad)");
        writer.Open();
        LoopWriter.Write(
            writer,
            streams.Concat(new[] { ("upstream", "upstreamRef"), ("targetGrad", "targetGradRef") }).ToList(),
            shape.Hoisted,
            width => new[] { LoopWriter.Store(width, $"{LoopWriter.Load(width, "upstreamRef")} * ElementTargetGradient{suffix}({shape.ElementArguments(width)})", "targetGradRef") },
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();
    }

    private static IEnumerable<string> StoreGradients(Shape shape, Width width, string factor)
    {
        for (int k = 0; k < shape.Inputs.Count; k++)
        {
            yield return LoopWriter.Store(width, $"{factor} * gradient{k + 1}", shape.Inputs[k] + "GradRef");
        }
    }

    private static void WriteElementFunctions(IndentedWriter writer, ElementwiseSpec spec, Shape shape, FlagVariant variant)
    {
        var widths = spec.Vectorizable ? Width.Vectors.Concat(new[] { Width.Scalar }) : new[] { Width.Scalar };
        string suffix = variant.Suffix;
        foreach (var width in widths)
        {
            string parameters = shape.ElementParameters(width);
            string outs = string.Join(", ", Enumerable.Range(1, shape.Inputs.Count).Select(k => $"out {width.Type} gradient{k}"));

            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open($"private static {width.Type} ElementLoss{suffix}({parameters})");
            writer.Line($"return {ExpressionWriter.WriteBody(writer, width, variant.Loss)[0]};");
            writer.Close();
            writer.Line();

            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open($"private static void ElementGradients{suffix}({parameters}, {outs})");
            string[] gradients = ExpressionWriter.WriteBody(writer, width, variant.Gradients.ToArray());
            for (int k = 0; k < gradients.Length; k++)
            {
                writer.Line($"gradient{k + 1} = {gradients[k]};");
            }

            writer.Close();
            writer.Line();

            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open($"private static {width.Type} ElementLossAndGradients{suffix}({parameters}, {outs})");
            string[] all = ExpressionWriter.WriteBody(writer, width, new[] { variant.Loss }.Concat(variant.Gradients).ToArray());
            for (int k = 1; k < all.Length; k++)
            {
                writer.Line($"gradient{k} = {all[k]};");
            }

            writer.Line($"return {all[0]};");
            writer.Close();
            writer.Line();

            if (spec.Target == TargetRole.Differentiable)
            {
                writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
                writer.Open($"private static {width.Type} ElementTargetGradient{suffix}({parameters})");
                writer.Line($"return {ExpressionWriter.WriteBody(writer, width, variant.TargetGradient)[0]};");
                writer.Close();
                writer.Line();
            }
        }
    }

    /// <summary>The names the generated API and loops use for a declaration's spans and options.</summary>
    private sealed class Shape
    {
        private readonly ElementwiseSpec _spec;

        public Shape(ElementwiseSpec spec)
        {
            _spec = spec;
            Inputs = spec.Parameters.Where(p => p.Role == ParameterRole.Input).Select(p => p.Name).ToList();
            Scalars = spec.Parameters.Where(p => p.Role == ParameterRole.Scalar).Select(p => p.Name).ToList();
        }

        /// <summary>The API's names of the differentiable inputs: the declaration's (input1 and input2, or input and var).</summary>
        public IReadOnlyList<string> Inputs { get; }

        public IReadOnlyList<string> Scalars { get; }

        public string InputSpans => string.Join(", ", Inputs.Select(name => $"ReadOnlySpan<float> {name}")) + ", ReadOnlySpan<float> target";

        public string LoopParameters => InputSpans + string.Concat(Scalars.Select(name => $", float {name}"));

        public string LoopArguments => string.Join(", ", Inputs) + ", target" + string.Concat(Scalars.Select(name => ", " + name));

        public string OutGradients => string.Join(", ", Enumerable.Range(1, Inputs.Count).Select(k => $"out var gradient{k}"));

        /// <summary>Scalar options and flags in declaration order, with their defaults.</summary>
        public string ExtraParameters => string.Concat(_spec.Parameters.Select(p => p.Role switch
        {
            ParameterRole.Scalar => $", float {p.Name}{(p.DefaultText is null ? string.Empty : " = " + p.DefaultText)}",
            ParameterRole.Flag => $", bool {p.Name} = {p.DefaultText}",
            _ => string.Empty,
        }));

        public IEnumerable<(string Name, string Value)> Hoisted(Width width) => width.IsScalar
            ? Enumerable.Empty<(string, string)>()
            : Scalars.Select(name => (name + "V", name));

        /// <summary>The element function's parameters: the declaration's inputs, target and scalar options.</summary>
        public string ElementParameters(Width width) => string.Join(", ", _spec.Parameters
            .Where(p => p.Role is ParameterRole.Input or ParameterRole.Target or ParameterRole.Scalar)
            .Select(p => $"{width.Type} {p.Name}"));

        public string ElementArguments(Width width) => string.Join(", ", Inputs.Select(name => LoopWriter.Load(width, name + "Ref"))
            .Concat(new[] { LoopWriter.Load(width, "targetRef") })
            .Concat(Scalars.Select(name => width.IsScalar ? name : name + "V")));
    }

    /// <summary>The loss and its gradients with the flags fixed to one combination of values.</summary>
    private sealed class FlagVariant
    {
        private FlagVariant(IReadOnlyList<string> flagsSet, Expr loss, IReadOnlyList<Expr> gradients, Expr targetGradient)
        {
            FlagsSet = flagsSet;
            Loss = loss;
            Gradients = gradients;
            TargetGradient = targetGradient;
            Suffix = flagsSet.Count == 0 ? string.Empty : "When" + string.Join("And", flagsSet.Select(name => char.ToUpperInvariant(name[0]) + name.Substring(1)));
        }

        public IReadOnlyList<string> FlagsSet { get; }

        public Expr Loss { get; }

        public IReadOnlyList<Expr> Gradients { get; }

        public Expr TargetGradient { get; }

        public string Suffix { get; }

        public static IReadOnlyList<FlagVariant> All(ElementwiseSpec spec)
        {
            var flags = spec.Parameters.Where(p => p.Role == ParameterRole.Flag).ToList();
            var variants = new List<FlagVariant>();
            for (int mask = 0; mask < 1 << flags.Count; mask++)
            {
                var set = new List<string>();
                Expr loss = spec.Formula;
                var gradients = new List<Expr>();
                for (int k = 0; k < spec.InputDerivatives.Count; k++)
                {
                    gradients.Add(spec.InputDerivatives[k]);
                }

                Expr target = spec.TargetDerivative;
                for (int f = 0; f < flags.Count; f++)
                {
                    bool on = (mask & (1 << f)) != 0;
                    if (on)
                    {
                        set.Add(flags[f].Name);
                    }

                    var value = new Constant(on ? 1 : 0);
                    loss = Simplifier.Substitute(loss, flags[f].Name, value);
                    target = Simplifier.Substitute(target, flags[f].Name, value);
                    for (int k = 0; k < gradients.Count; k++)
                    {
                        gradients[k] = Simplifier.Substitute(gradients[k], flags[f].Name, value);
                    }
                }

                variants.Add(new FlagVariant(set, loss, gradients, target));
            }

            return variants;
        }
    }
}
