namespace FastLoss.TorchParity.Tests;

/// <summary>Sends <c>upstream</c> into the gradient of a non-scalar tensor (an unreduced loss, a softmax), as torch's <c>values.backward(upstream)</c>.</summary>
internal static class UpstreamGradient
{
    public static void Backward(Tensor values, float[] upstream)
    {
        Assert.True(values.RequiresGrad, "the tensor to back-propagate through was not recorded");
        Assert.Equal(values.Length, upstream.Length);
        values.Backward(values.Rank == 0 ? Tensor.Scalar(upstream[0]) : Tensor.FromValues(upstream, values.Shape.ToArray()));
    }
}
