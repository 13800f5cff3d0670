using FastLoss.Kernels;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// One of the seed CNN's convolutions on one image (5 x 5, padding 2): its geometry, a random image, weight, bias
/// and output gradient, the same values as TorchSharp tensors, and TorchSharp's conv2d forward and backward on
/// them, the baseline of the convolution benchmarks. conv1: 3 -> 32 channels on 32 x 32; conv2: 32 -> 32 on
/// 16 x 16; conv3: 32 -> 64 on 8 x 8.
/// </summary>
public sealed class SeedConvolution : IDisposable
{
    private readonly torch.Tensor _torchImage, _torchWeight, _torchBias, _torchOutputGrad;

    public SeedConvolution(string layer)
    {
        (int inChannels, int size, int outChannels) = layer switch
        {
            "conv1" => (3, 32, 32),
            "conv2" => (32, 16, 32),
            "conv3" => (32, 8, 64),
            _ => throw new ArgumentException($"No seed convolution is called '{layer}'; expected conv1, conv2 or conv3.", nameof(layer)),
        };
        Geometry = new Conv2dGeometry(inChannels, size, size, outChannels, 5, 5, 1, 1, 2, 2);
        var random = new Random(size);
        Image = BenchmarkData.Uniform(random, Geometry.InputSize, -1f, 1f);
        Weight = BenchmarkData.Uniform(random, Geometry.WeightSize, -1f, 1f);
        Bias = BenchmarkData.Uniform(random, outChannels, -1f, 1f);
        OutputGrad = BenchmarkData.Uniform(random, Geometry.OutputSize, -1f, 1f);

        _torchImage = torch.tensor(Image, [1, inChannels, size, size]).requires_grad_(true);
        _torchWeight = torch.tensor(Weight, [outChannels, inChannels, 5, 5]).requires_grad_(true);
        _torchBias = torch.tensor(Bias, [outChannels]).requires_grad_(true);
        _torchOutputGrad = torch.tensor(OutputGrad, [1, outChannels, size, size]);
    }

    public Conv2dGeometry Geometry { get; }

    public float[] Image { get; }

    public float[] Weight { get; }

    public float[] Bias { get; }

    public float[] OutputGrad { get; }

    /// <summary>TorchSharp's conv2d forward and backward (all three gradients), gradients zeroed after.</summary>
    public float TorchForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor output = torch.nn.functional.conv2d(_torchImage, _torchWeight, _torchBias, padding: [2, 2]);
        output.backward([_torchOutputGrad]);
        _torchImage.grad!.zero_();
        _torchWeight.grad!.zero_();
        _torchBias.grad!.zero_();
        return output.ReadCpuSingle(0);
    }

    public void Dispose()
    {
        _torchImage.Dispose();
        _torchWeight.Dispose();
        _torchBias.Dispose();
        _torchOutputGrad.Dispose();
    }
}
