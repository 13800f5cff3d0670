using TorchSharp;

namespace FastLoss.TorchParity.Tests;

/// <summary>Copies values between FastLoss spans and tensors and libtorch tensors (float32, row-major).</summary>
internal static class TorchConvert
{
    public static torch.Tensor ToTorch(ReadOnlySpan<float> values, ReadOnlySpan<int> shape, bool requiresGrad = false)
    {
        long[] dims = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            dims[i] = shape[i];
        }

        return torch.tensor(values.ToArray(), dims, torch.float32, requires_grad: requiresGrad);
    }

    public static torch.Tensor ToTorch(Tensor tensor, bool requiresGrad = false) =>
        ToTorch(tensor.Span, tensor.Shape, requiresGrad);

    /// <summary>The elements in row-major order (TorchSharp's accessor throws on an empty tensor, so that case is answered here).</summary>
    public static float[] ToArray(torch.Tensor tensor) =>
        tensor.numel() == 0 ? [] : tensor.detach().contiguous().data<float>().ToArray();

    public static int[] ShapeOf(torch.Tensor tensor)
    {
        long[] dims = tensor.shape;
        int[] shape = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            shape[i] = checked((int)dims[i]);
        }

        return shape;
    }

    public static Tensor ToFastLoss(torch.Tensor tensor) => Tensor.FromValues(ToArray(tensor), ShapeOf(tensor));
}
