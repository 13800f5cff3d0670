using FastLoss.Autograd;
using FastLoss.Generation;
using FastLoss.Kernels;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.Conv2d (groups = 1, dilation = 1, zero padding) on NCHW input (N, C, H, W) or one image (C, H, W).
/// Weight (out, in, k, k), bias (out). Runs of images are shared out to <see cref="Threading.ComputePool"/>'s threads,
/// each unfolding its images into its own buffer; results do not depend on the thread count. 5 x 5 kernels with
/// stride 1, at least 16 input channels and channel counts in whole vectors run the forward pass and the input gradient by Winograd's
/// F(2x2, 5x5) (<see cref="WinogradConvolution"/>). Otherwise, with stride 1 the products read tap rows in place
/// and the input gradient is a transposed convolution (<see cref="Conv2dTapRowKernels"/>), and with larger
/// strides they go through im2col (<see cref="Conv2dKernels"/>). The weight gradient is always a direct product.
/// Initialised as torch's reset_parameters.
/// </summary>
public sealed class Conv2d : Module
{
    public Conv2d(
        int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true,
        Generator? generator = null)
    {
        // Validates channels, kernel size, stride and padding (an image the size of the kernel always fits).
        _ = new Conv2dGeometry(inChannels, kernelSize, kernelSize, outChannels, kernelSize, kernelSize, stride, stride, padding, padding);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Weight = Tensor.Zeros(outChannels, inChannels, kernelSize, kernelSize);
        Weight.RequiresGrad = true;
        if (bias)
        {
            Bias = Tensor.Zeros(outChannels);
            Bias.RequiresGrad = true;
        }

        Init.DefaultLayer(Weight, Bias, generator);
        Weights = new Conv2dWeightCache(Weight, outChannels);
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    /// <summary>The weight (out, in, k, k).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias (out), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>The packed and transformed forms of the weight, shared by every call.</summary>
    internal Conv2dWeightCache Weights { get; }

    [HotPath]
    private protected override Tensor Compute(GraphArena arena, Tensor input)
    {
        if (input.Rank != 3 && input.Rank != 4)
        {
            throw new ArgumentException(
                $"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: {TensorShape.FormatList(input.Shape)}", nameof(input));
        }

        int channels = input.Shape[^3];
        if (channels != InChannels)
        {
            throw new ArgumentException(
                $"Given groups=1, weight of size {TensorShape.FormatList(Weight.Shape)}, expected input{TensorShape.FormatList(input.Shape)} to have {InChannels} channels, but got {channels} channels instead",
                nameof(input));
        }

        Conv2dNode node = arena.Claim<Conv2dNode>(this, input.Shape);
        if (!node.IsPlanned)
        {
            int height = input.Shape[^2], width = input.Shape[^1];
            var geometry = new Conv2dGeometry(
                InChannels, height, width, OutChannels, KernelSize, KernelSize, Stride, Stride, Padding, Padding);
            node.Plan(geometry, input.Rank == 4 ? input.Shape[0] : 1, input.Rank == 4);
        }

        Tensor? bias = Bias;
        node.Forward(input, bias);
        if (arena.WantsGraph(input, Weight, bias))
        {
            arena.Record(node, input);
        }

        return node.Output;
    }

    protected internal override void CollectParameters(string prefix, List<(string Name, Tensor Parameter)> parameters)
    {
        parameters.Add((prefix + "weight", Weight));
        if (Bias is not null)
        {
            parameters.Add((prefix + "bias", Bias));
        }
    }

    protected internal override void ClearParameterGrads(bool setToNone)
    {
        Clear(Weight, setToNone);
        Clear(Bias, setToNone);
    }
}
