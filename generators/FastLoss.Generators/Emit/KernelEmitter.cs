using System.Collections.Generic;
using System.Linq;
using FastLoss.Generators.Model;

namespace FastLoss.Generators.Emit;

/// <summary>
/// Emits a loss's <c>Kernel</c> struct: its span API behind <c>IElementwiseLossKernel</c>, so one generic module
/// (<c>ElementwiseLoss&lt;TKernel&gt;</c>) serves every elementwise loss. The module passes its options in one
/// struct: the loss's scalar option (at most one), its flags as bits, and the per-element spans named weight and posWeight. A
/// declaration with other options gets the span API only.
/// </summary>
internal static class KernelEmitter
{
    private const string ReductionType = "global::FastLoss.Reduction";
    private const string OptionsType = "global::FastLoss.Generation.ElementwiseLossOptions";

    public static void Write(IndentedWriter writer, ElementwiseSpec spec)
    {
        var options = new List<string>();
        int scalars = 0;
        int flags = 0;
        foreach (var parameter in spec.Parameters)
        {
            switch (parameter.Role)
            {
                case ParameterRole.Flag:
                    options.Add($"{parameter.Name}: (options.Flags & {1 << flags}) != 0");
                    flags++;
                    break;
                case ParameterRole.Scalar:
                    scalars++;
                    options.Add($"{parameter.Name}: options.Parameter");
                    break;
                case ParameterRole.PerElement when parameter.Name == "weight":
                    options.Add("weight: options.Weight");
                    break;
                case ParameterRole.PerElement when parameter.Name == "posWeight":
                    options.Add("posWeight: options.PosWeight");
                    break;
                case ParameterRole.PerElement:
                    return;
            }
        }

        if (scalars > 1)
        {
            return;
        }

        string pass = string.Concat(options.Select(o => ", " + o));
        string name = spec.ClassName;
        writer.Line("/// <summary>The kernels above behind one interface, for the module <c>ElementwiseLoss&lt;TKernel&gt;</c>.</summary>");
        writer.Open("public readonly struct Kernel : global::FastLoss.Generation.IElementwiseLossKernel");
        writer.Line($"public static float Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, {ReductionType} reduction, {OptionsType} options) =>");
        writer.Line($"    {name}.Forward(input, target, reduction{pass});");
        writer.Line();
        writer.Line($"public static void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss, {OptionsType} options) =>");
        writer.Line($"    {name}.ForwardNone(input, target, loss{pass});");
        writer.Line();
        writer.Line($"public static float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, {ReductionType} reduction, {OptionsType} options) =>");
        writer.Line($"    {name}.ForwardBackward(input, target, inputGrad, reduction{pass});");
        writer.Line();
        writer.Line($"public static void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> inputGrad, {OptionsType} options) =>");
        writer.Line($"    {name}.BackwardNone(input, target, upstream, inputGrad{pass});");
        if (spec.Target != TargetRole.Differentiable)
        {
            writer.Line();
            writer.Line($"public static global::FastLoss.Generation.LossTarget Target => global::FastLoss.Generation.LossTarget.{spec.Target};");
            writer.Close();
            writer.Line();
            return;
        }

        writer.Line();
        writer.Line($"public static void TargetBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> targetGrad, {ReductionType} reduction, float upstream, {OptionsType} options) =>");
        writer.Line($"    {name}.TargetBackward(input, target, targetGrad, reduction, upstream{pass});");
        writer.Line();
        writer.Line($"public static void TargetBackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> targetGrad, {OptionsType} options) =>");
        writer.Line($"    {name}.TargetBackwardNone(input, target, upstream, targetGrad{pass});");
        writer.Close();
        writer.Line();
    }
}
