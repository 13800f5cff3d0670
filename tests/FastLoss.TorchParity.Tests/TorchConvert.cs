using TorchSharp;

namespace FastLoss.TorchParity.Tests;

/// <summary>Copies values between FastLoss spans and tensors and libtorch tensors (float32, row-major).</summary>
internal static class TorchConvert
{
    /// <summary>A libtorch tensor of the values, float32 unless <paramref name="type"/> says otherwise (float64 for a reference of higher precision).</summary>
    public static torch.Tensor ToTorch(ReadOnlySpan<float> values, ReadOnlySpan<int> shape, bool requiresGrad = false, torch.ScalarType type = torch.ScalarType.Float32)
    {
        long[] dims = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            dims[i] = shape[i];
        }

        if (type == torch.ScalarType.Float32)
        {
            return torch.tensor(values.ToArray(), dims, torch.float32, requires_grad: requiresGrad);
        }

        return torch.tensor(values.ToArray(), dims, torch.float32).to_type(type).requires_grad_(requiresGrad);
    }

    public static torch.Tensor ToTorch(Tensor tensor, bool requiresGrad = false) =>
        ToTorch(tensor.Span, tensor.Shape, requiresGrad);

    /// <summary>The elements in row-major order (TorchSharp's accessor throws on an empty tensor, so that case is answered here).</summary>
    public static float[] ToArray(torch.Tensor tensor) =>
        tensor.numel() == 0 ? [] : tensor.detach().to_type(torch.ScalarType.Float32).contiguous().data<float>().ToArray();

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
