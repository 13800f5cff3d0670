using System;
using System.Collections.Generic;
using System.Linq;
using FastLoss.Generators.Calculus;
using FastLoss.Generators.Model;

namespace FastLoss.Generators.Emit;

/// <summary>
/// Emits the kernels of one elementwise loss: the public span API (Forward, ForwardNone, Backward,
/// BackwardNone, ForwardBackward), one loop per operation and per set of present per-element operands,
/// and the per-element formula and gradient at each vector width and in scalar form.
/// </summary>
internal static class ElementwiseLossEmitter
{
    private const string ReductionType = "global::FastLoss.Reduction";
    private const string Arguments = "global::FastLoss.Generation.ElementwiseArguments";

    public static string Emit(ElementwiseSpec spec)
    {
        var writer = new IndentedWriter();
        SourceFile.WriteHeader(writer, spec);
        writer.Open($"partial class {spec.ClassName}");

        var variants = Variant.All(spec);
        WritePublicApi(writer, spec, variants);
        foreach (var variant in variants)
        {
            WriteLoops(writer, spec, variant);
        }

        foreach (var variant in variants)
        {
            WriteElementFunctions(writer, spec, variant);
        }

        writer.Close();
        return writer.ToString();
    }

    private static void WritePublicApi(IndentedWriter writer, ElementwiseSpec spec, IReadOnlyList<Variant> variants)
    {
        string extras = Variant.ExtraParameters(spec);
        string pass = Variant.ScalarArguments(spec);

        writer.Line($"/// <summary>The {spec.ClassName} loss reduced by <paramref name=\"reduction\"/> (Sum or Mean; the mean of nothing is NaN).</summary>");
        writer.Open($"public static float Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, {ReductionType} reduction = {ReductionType}.Mean{extras})");
        writer.Line($"{Arguments}.RequireReduced(reduction);");
        WriteChecks(writer, spec, "target");
        WriteDispatch(writer, spec, variants, "double total = ", "SumOf", "input, target" + pass, string.Empty);
        writer.Line($"return {Arguments}.Reduce(total, input.Length, reduction);");
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>The per-element losses (reduction none), written to <paramref name=\"loss\"/>.</summary>");
        writer.Open($"public static void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss{extras})");
        WriteChecks(writer, spec, "target", "loss");
        WriteDispatch(writer, spec, variants, string.Empty, "WriteLosses", "input, target" + pass, ", loss");
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>d(reduced loss)/d(input) times <paramref name=\"upstream\"/>, written to <paramref name=\"inputGrad\"/>.</summary>");
        writer.Open($"public static void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, {ReductionType} reduction = {ReductionType}.Mean, float upstream = 1f{extras})");
        WriteChecks(writer, spec, "target", "inputGrad");
        writer.Line($"float scale = {Arguments}.GradientScale(input.Length, reduction, upstream);");
        WriteDispatch(writer, spec, variants, string.Empty, "WriteGradients", "input, target" + pass, ", scale, inputGrad");
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>For reduction none: <paramref name=\"upstream\"/>[i] * d loss[i] / d input[i], written to <paramref name=\"inputGrad\"/>.</summary>");
        writer.Open($"public static void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> inputGrad{extras})");
        WriteChecks(writer, spec, "target", "upstream", "inputGrad");
        WriteDispatch(writer, spec, variants, string.Empty, "WriteGradientsTimesUpstream", "input, target" + pass, ", upstream, inputGrad");
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>");
        writer.Line("/// The reduced loss and its gradient in one pass over memory: returns the loss and writes");
        writer.Line("/// d(loss)/d(input) to <paramref name=\"inputGrad\"/>.");
        writer.Line("/// </summary>");
        writer.Open($"public static float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, {ReductionType} reduction = {ReductionType}.Mean{extras})");
        writer.Line($"{Arguments}.RequireReduced(reduction);");
        WriteChecks(writer, spec, "target", "inputGrad");
        writer.Line($"float scale = {Arguments}.GradientScale(input.Length, reduction, 1f);");
        WriteDispatch(writer, spec, variants, "double total = ", "SumAndWriteGradients", "input, target" + pass, ", scale, inputGrad");
        writer.Line($"return {Arguments}.Reduce(total, input.Length, reduction);");
        writer.Close();
        writer.Line();

        if (spec.Target != TargetRole.Differentiable)
        {
            // torch gives this loss's target no gradient: no target kernels to call.
            KernelEmitter.Write(writer, spec);
            return;
        }

        writer.Line("/// <summary>d(reduced loss)/d(target) times <paramref name=\"upstream\"/>, written to <paramref name=\"targetGrad\"/> (torch's gradient for a float target).</summary>");
        writer.Open($"public static void TargetBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> targetGrad, {ReductionType} reduction = {ReductionType}.Mean, float upstream = 1f{extras})");
        WriteChecks(writer, spec, "target", "targetGrad");
        writer.Line($"float scale = {Arguments}.GradientScale(input.Length, reduction, upstream);");
        WriteDispatch(writer, spec, variants, string.Empty, "WriteTargetGradients", "input, target" + pass, ", scale, targetGrad");
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>For reduction none: <paramref name=\"upstream\"/>[i] * d loss[i] / d target[i], written to <paramref name=\"targetGrad\"/>.</summary>");
        writer.Open($"public static void TargetBackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> targetGrad{extras})");
        WriteChecks(writer, spec, "target", "upstream", "targetGrad");
        WriteDispatch(writer, spec, variants, string.Empty, "WriteTargetGradientsTimesUpstream", "input, target" + pass, ", upstream, targetGrad");
        writer.Close();
        writer.Line();

        KernelEmitter.Write(writer, spec);
    }

    private static void WriteChecks(IndentedWriter writer, ElementwiseSpec spec, params string[] sameLength)
    {
        if (spec.OptionCheck is not null)
        {
            writer.Line($"{spec.OptionCheck}({string.Join(", ", spec.Parameters.Where(p => p.Role == ParameterRole.Scalar).Select(p => p.Name))});");
        }

        foreach (string name in sameLength)
        {
            writer.Line($"{Arguments}.RequireSameLength(input.Length, {name}.Length, nameof({name}));");
        }

        foreach (var parameter in spec.Parameters.Where(p => p.Role == ParameterRole.PerElement))
        {
            writer.Line($"{Arguments}.RequireAbsentOrSameLength(input.Length, {parameter.Name}.Length, nameof({parameter.Name}));");
        }

        foreach (var parameter in spec.Parameters.Where(p => p.NonNegative))
        {
            string name = parameter.Role == ParameterRole.Target ? "target" : "input";
            writer.Line($"{Arguments}.RequireNonNegative({name}, nameof({name}));");
        }

        if (spec.InputInUnitInterval)
        {
            writer.Line($"{Arguments}.RequireUnitInterval(input, target);");
        }
    }

    /// <summary>Calls the loop specialised for the flags' values and the per-element operands that are present.</summary>
    private static void WriteDispatch(IndentedWriter writer, ElementwiseSpec spec, IReadOnlyList<Variant> variants, string assign, string loop, string leading, string trailing)
    {
        if (variants.Count == 1)
        {
            writer.Line($"{assign}{loop}({leading}{trailing});");
            return;
        }

        if (assign.Length > 0)
        {
            writer.Line(assign.TrimEnd(' ', '=').Trim() + ";");
        }

        string target = assign.Length > 0 ? assign.Replace("double ", string.Empty) : string.Empty;
        for (int v = 0; v < variants.Count; v++)
        {
            var variant = variants[v];
            var flags = spec.Parameters.Where(p => p.Role == ParameterRole.Flag)
                .Select(p => variant.FlagsSet.Contains(p.Name) ? p.Name : $"!{p.Name}");
            var operands = spec.Parameters.Where(p => p.Role == ParameterRole.PerElement)
                .Select(p => variant.Present.Contains(p.Name) ? $"!{p.Name}.IsEmpty" : $"{p.Name}.IsEmpty");
            string condition = string.Join(" && ", flags.Concat(operands));
            string keyword = v == 0 ? "if" : v == variants.Count - 1 ? "else" : "else if";
            writer.Line(keyword == "else" ? "else" : $"{keyword} ({condition})");
            writer.Open();
            writer.Line($"{target}{loop}{variant.Suffix}({leading}{variant.PerElementArguments}{trailing});");
            writer.Close();
        }
    }

    private static void WriteLoops(IndentedWriter writer, ElementwiseSpec spec, Variant variant)
    {
        string inputs = "ReadOnlySpan<float> input, ReadOnlySpan<float> target" + variant.ScalarParameters + variant.PerElementParameters;
        var streams = new List<(string, string)> { ("input", "inputRef"), ("target", "targetRef") };
        streams.AddRange(variant.Present.Select(name => (name, name + "Ref")));

        string Args(Width width) => variant.ElementArguments(width);

        writer.Line($"private static double SumOf{variant.Suffix}({inputs})");
        writer.Open();
        LoopWriter.Write(
            writer,
            streams,
            variant.Hoisted,
            width => new[] { width.IsScalar ? $"total += ElementLoss{variant.Suffix}({Args(width)});" : $"acc += ElementLoss{variant.Suffix}({Args(width)});" },
            sums: true,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line($"private static void WriteLosses{variant.Suffix}({inputs}, Span<float> loss)");
        writer.Open();
        LoopWriter.Write(
            writer,
            streams.Concat(new[] { ("loss", "lossRef") }).ToList(),
            variant.Hoisted,
            width => new[] { LoopWriter.Store(width, $"ElementLoss{variant.Suffix}({Args(width)})", "lossRef") },
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line($"private static void WriteGradients{variant.Suffix}({inputs}, float scale, Span<float> inputGrad)");
        writer.Open();
        WriteFactorIntoScale(writer, variant.GradientFactor);
        LoopWriter.Write(
            writer,
            streams.Concat(new[] { ("inputGrad", "gradRef") }).ToList(),
            width => variant.Hoisted(width).Concat(new[] { ("scaleV", "scale") }),
            width => new[] { LoopWriter.Store(width, $"{Scale(width)} * ElementGradient{variant.Suffix}({Args(width)})", "gradRef") },
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line($"private static void WriteGradientsTimesUpstream{variant.Suffix}({inputs}, ReadOnlySpan<float> upstream, Span<float> inputGrad)");
        writer.Open();
        LoopWriter.Write(
            writer,
            streams.Concat(new[] { ("upstream", "upstreamRef"), ("inputGrad", "gradRef") }).ToList(),
            variant.Hoisted,
            width => new[] { LoopWriter.Store(width, $"{LoopWriter.Load(width, "upstreamRef")} * {Factor(width, variant.GradientFactor)}ElementGradient{variant.Suffix}({Args(width)})", "gradRef") },
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        if (spec.Target != TargetRole.Differentiable)
        {
            WriteFusedLoop(writer, spec, variant, inputs, streams, Args);
            return;
        }

        writer.Line($"private static void WriteTargetGradients{variant.Suffix}({inputs}, float scale, Span<float> targetGrad)");
        writer.Open();
        WriteFactorIntoScale(writer, variant.TargetGradientFactor);
        LoopWriter.Write(
            writer,
            streams.Concat(new[] { ("targetGrad", "gradRef") }).ToList(),
            width => variant.Hoisted(width).Concat(new[] { ("scaleV", "scale") }),
            width => new[] { LoopWriter.Store(width, $"{Scale(width)} * ElementTargetGradient{variant.Suffix}({Args(width)})", "gradRef") },
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        writer.Line($"private static void WriteTargetGradientsTimesUpstream{variant.Suffix}({inputs}, ReadOnlySpan<float> upstream, Span<float> targetGrad)");
        writer.Open();
        LoopWriter.Write(
            writer,
            streams.Concat(new[] { ("upstream", "upstreamRef"), ("targetGrad", "gradRef") }).ToList(),
            variant.Hoisted,
            width => new[] { LoopWriter.Store(width, $"{LoopWriter.Load(width, "upstreamRef")} * {Factor(width, variant.TargetGradientFactor)}ElementTargetGradient{variant.Suffix}({Args(width)})", "gradRef") },
            sums: false,
            spec.Vectorizable);
        writer.Close();
        writer.Line();

        WriteFusedLoop(writer, spec, variant, inputs, streams, Args);
    }

    /// <summary>The fused forward and backward: the loss's sum and the input gradient in one pass.</summary>
    private static void WriteFusedLoop(IndentedWriter writer, ElementwiseSpec spec, Variant variant, string inputs, List<(string, string)> streams, Func<Width, string> Args)
    {
        writer.Line($"private static double SumAndWriteGradients{variant.Suffix}({inputs}, float scale, Span<float> inputGrad)");
        writer.Open();
        WriteFactorIntoScale(writer, variant.GradientFactor);
        LoopWriter.Write(
            writer,
            streams.Concat(new[] { ("inputGrad", "gradRef") }).ToList(),
            width => variant.Hoisted(width).Concat(new[] { ("scaleV", "scale") }),
            width => new[]
            {
                $"{(width.IsScalar ? "total" : "acc")} += ElementLossAndGradient{variant.Suffix}({Args(width)}, out var gradient);",
                LoopWriter.Store(width, $"{Scale(width)} * gradient", "gradRef"),
            },
            sums: true,
            spec.Vectorizable);
        writer.Close();
        writer.Line();
    }

    private static string Scale(Width width) => width.IsScalar ? "scale" : "scaleV";

    /// <summary>The gradient's constant factor joins the reduction's scale before the loop (1/n times 2, not 2 (x - y) then / n).</summary>
    private static void WriteFactorIntoScale(IndentedWriter writer, double factor)
    {
        if (factor != 1)
        {
            writer.Line($"scale *= {ExpressionWriter.Literal(factor)};");
        }
    }

    /// <summary>"c * " in front of a per-element gradient without its factor, or nothing when c is 1.</summary>
    private static string Factor(Width width, double factor) => factor == 1
        ? string.Empty
        : width.IsScalar ? $"{ExpressionWriter.Literal(factor)} * " : $"{width.VectorClass}.Create({ExpressionWriter.Literal(factor)}) * ";

    private static void WriteElementFunctions(IndentedWriter writer, ElementwiseSpec spec, Variant variant)
    {
        var widths = spec.Vectorizable ? Width.Vectors.Concat(new[] { Width.Scalar }) : new[] { Width.Scalar };
        foreach (var width in widths)
        {
            string parameters = variant.ElementParameters(width);

            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open($"private static {width.Type} ElementLoss{variant.Suffix}({parameters})");
            string loss = ExpressionWriter.WriteBody(writer, width, variant.Loss)[0];
            writer.Line($"return {loss};");
            writer.Close();
            writer.Line();

            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open($"private static {width.Type} ElementGradient{variant.Suffix}({parameters})");
            string gradient = ExpressionWriter.WriteBody(writer, width, variant.Gradient)[0];
            writer.Line($"return {gradient};");
            writer.Close();
            writer.Line();

            if (spec.Target == TargetRole.Differentiable)
            {
                writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
                writer.Open($"private static {width.Type} ElementTargetGradient{variant.Suffix}({parameters})");
                string targetGradient = ExpressionWriter.WriteBody(writer, width, variant.TargetGradient)[0];
                writer.Line($"return {targetGradient};");
                writer.Close();
                writer.Line();
            }

            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open($"private static {width.Type} ElementLossAndGradient{variant.Suffix}({parameters}, out {width.Type} gradient)");
            string[] both = ExpressionWriter.WriteBody(writer, width, variant.Loss, variant.Gradient);
            writer.Line($"gradient = {both[1]};");
            writer.Line($"return {both[0]};");
            writer.Close();
            writer.Line();
        }
    }

    /// <summary>
    /// The formula specialised for the flags' values and one set of present per-element operands: flags become
    /// constants and absent operands their default, and the expressions are simplified, so an unweighted call does
    /// no multiplication by one and a flag costs nothing per element.
    /// </summary>
    private sealed class Variant
    {
        private readonly ElementwiseSpec _spec;

        private Variant(ElementwiseSpec spec, IReadOnlyList<string> flagsSet, IReadOnlyList<string> present, Expr loss, Expr gradient, Expr targetGradient)
        {
            _spec = spec;
            FlagsSet = flagsSet;
            Present = present;
            Loss = loss;
            (GradientFactor, Gradient) = Simplifier.SplitConstantFactor(gradient);
            (TargetGradientFactor, TargetGradient) = Simplifier.SplitConstantFactor(targetGradient);
            Suffix = (present.Count == 0 ? string.Empty : "With" + string.Join("And", present.Select(Pascal)))
                + (flagsSet.Count == 0 ? string.Empty : "When" + string.Join("And", flagsSet.Select(Pascal)));
        }

        /// <summary>The flags that are true in this variant (the others are false).</summary>
        public IReadOnlyList<string> FlagsSet { get; }

        public IReadOnlyList<string> Present { get; }

        public Expr Loss { get; }

        /// <summary>The gradient without its constant factor (<see cref="GradientFactor"/>), which goes into the scale.</summary>
        public Expr Gradient { get; }

        public double GradientFactor { get; }

        public Expr TargetGradient { get; }

        public double TargetGradientFactor { get; }

        public string Suffix { get; }

        public string ScalarParameters => string.Concat(_spec.Parameters.Where(p => p.Role == ParameterRole.Scalar).Select(p => $", float {p.Name}"));

        public string PerElementParameters => string.Concat(Present.Select(name => $", ReadOnlySpan<float> {name}"));

        public string PerElementArguments => string.Concat(Present.Select(name => $", {name}"));

        public static IReadOnlyList<Variant> All(ElementwiseSpec spec)
        {
            var perElement = spec.Parameters.Where(p => p.Role == ParameterRole.PerElement).ToList();
            var flags = spec.Parameters.Where(p => p.Role == ParameterRole.Flag).ToList();
            var variants = new List<Variant>();
            for (int combination = 0; combination < 1 << (flags.Count + perElement.Count); combination++)
            {
                int flagMask = combination >> perElement.Count;
                int mask = combination & ((1 << perElement.Count) - 1);
                var present = new List<string>();
                var flagsSet = new List<string>();
                Expr loss = spec.Formula;
                Expr gradient = spec.Derivative;
                Expr targetGradient = spec.TargetDerivative;
                for (int f = 0; f < flags.Count; f++)
                {
                    bool set = (flagMask & (1 << f)) != 0;
                    if (set)
                    {
                        flagsSet.Add(flags[f].Name);
                    }

                    var value = new Constant(set ? 1 : 0);
                    loss = Simplifier.Substitute(loss, flags[f].Name, value);
                    gradient = Simplifier.Substitute(gradient, flags[f].Name, value);
                    targetGradient = Simplifier.Substitute(targetGradient, flags[f].Name, value);
                }

                for (int b = 0; b < perElement.Count; b++)
                {
                    if ((mask & (1 << b)) != 0)
                    {
                        present.Add(perElement[b].Name);
                    }
                    else
                    {
                        var value = new Constant(perElement[b].DefaultValue ?? 0);
                        loss = Simplifier.Substitute(loss, perElement[b].Name, value);
                        gradient = Simplifier.Substitute(gradient, perElement[b].Name, value);
                        targetGradient = Simplifier.Substitute(targetGradient, perElement[b].Name, value);
                    }
                }

                variants.Add(new Variant(spec, flagsSet, present, loss, gradient, targetGradient));
            }

            return variants;
        }

        /// <summary>The optional parameters of the public API in declaration order: scalar options and flags with their defaults, per-element spans.</summary>
        public static string ExtraParameters(ElementwiseSpec spec) => string.Concat(spec.Parameters.Select(p => p.Role switch
        {
            ParameterRole.Scalar => $", float {p.Name}{(p.DefaultText is null ? string.Empty : " = " + p.DefaultText)}",
            ParameterRole.PerElement => $", ReadOnlySpan<float> {p.Name} = default",
            ParameterRole.Flag => $", bool {p.Name} = {p.DefaultText}",
            _ => string.Empty,
        }));

        public static string ScalarArguments(ElementwiseSpec spec) =>
            string.Concat(spec.Parameters.Where(p => p.Role == ParameterRole.Scalar).Select(p => ", " + p.Name));

        /// <summary>Scalar options broadcast once before a vector loop.</summary>
        public IEnumerable<(string Name, string Value)> Hoisted(Width width) => width.IsScalar
            ? Enumerable.Empty<(string, string)>()
            : _spec.Parameters.Where(p => p.Role == ParameterRole.Scalar).Select(p => (p.Name + "V", p.Name));

        /// <summary>The element function's parameter list at a width: input, target, scalars, present operands.</summary>
        public string ElementParameters(Width width) => string.Join(", ", ElementNames().Select(name => $"{width.Type} {name}"));

        /// <summary>The element function's arguments inside a loop at index i.</summary>
        public string ElementArguments(Width width)
        {
            var arguments = new List<string>
            {
                LoopWriter.Load(width, "inputRef"),
                LoopWriter.Load(width, "targetRef"),
            };
            arguments.AddRange(_spec.Parameters.Where(p => p.Role == ParameterRole.Scalar).Select(p => width.IsScalar ? p.Name : p.Name + "V"));
            arguments.AddRange(Present.Select(name => LoopWriter.Load(width, name + "Ref")));
            return string.Join(", ", arguments);
        }

        private IEnumerable<string> ElementNames()
        {
            yield return _spec.Parameters.First(p => p.Role == ParameterRole.Input).Name;
            yield return _spec.Parameters.First(p => p.Role == ParameterRole.Target).Name;
            foreach (var p in _spec.Parameters.Where(p => p.Role == ParameterRole.Scalar))
            {
                yield return p.Name;
            }

            foreach (string name in Present)
            {
                yield return name;
            }
        }

        private static string Pascal(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);
    }
}
