using FastLoss.TorchParity.Tests.Cases;
using TorchSharp;

namespace FastLoss.TorchParity.Tests;

/// <summary>
/// The libtorch references of the classification losses, called as Python calls them.
/// cross_entropy goes through TorchSharp's functional wrapper (aten::cross_entropy_loss with every argument).
/// nll_loss goes through TorchScript: TorchSharp 0.107's functional.nll_loss and nn.NLLLoss take no ignore_index
/// and the former rejects unbatched input, so the script calls aten::nll_loss_nd, the op Python's F.nll_loss calls.
/// </summary>
internal static class TorchClassification
{
    /// <summary>torch's reduction enum as the aten ops take it (Reduction.h: None 0, Mean 1, Sum 2).</summary>
    private const long AtenNone = 0;
    private const long AtenMean = 1;
    private const long AtenSum = 2;

    // The script text ends with a newline: TorchScript's parser requires one after the last statement.
    private static readonly torch.jit.CompilationUnit Script = torch.jit.compile(
        "def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: int, ignore_index: int) -> Tensor:\n" +
        "    return torch.nll_loss_nd(input, target, weight, reduction, ignore_index)\n");

    public static torch.Tensor CrossEntropy(torch.Tensor input, ClassificationInputs inputs, Reduction reduction) =>
        torch.nn.functional.cross_entropy(
            input, Target(inputs), Weight(inputs), inputs.IgnoreIndex, ElementwiseParity.ToTorch(reduction), inputs.LabelSmoothing);

    public static torch.Tensor NllLoss(torch.Tensor input, ClassificationInputs inputs, Reduction reduction) =>
        NllLoss(input, Target(inputs), Weight(inputs), inputs.IgnoreIndex, reduction);

    public static torch.Tensor NllLoss(torch.Tensor input, torch.Tensor target, torch.Tensor? weight, long ignoreIndex, Reduction reduction) =>
        (torch.Tensor)Script.invoke("nll_loss", input, target, weight!, ToAten(reduction), ignoreIndex);

    /// <summary>Class indices shaped like the entries (a 0-dim tensor for an unbatched input), or probabilities shaped like the input.</summary>
    public static torch.Tensor Target(ClassificationInputs inputs) =>
        inputs.Indices is null
            ? TorchConvert.ToTorch(inputs.Probabilities!, inputs.Shape)
            : Indices(inputs.Indices, inputs.EntryShape);

    public static torch.Tensor Indices(long[] values, int[] shape)
    {
        if (shape.Length == 0)
        {
            return torch.tensor(values[0]);
        }

        long[] dims = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            dims[i] = shape[i];
        }

        return torch.tensor(values, dims);
    }

    private static torch.Tensor? Weight(ClassificationInputs inputs) =>
        inputs.Weight is null ? null : TorchConvert.ToTorch(inputs.Weight, [inputs.Weight.Length]);

    private static long ToAten(Reduction reduction) => reduction switch
    {
        Reduction.None => AtenNone,
        Reduction.Sum => AtenSum,
        _ => AtenMean,
    };
}
