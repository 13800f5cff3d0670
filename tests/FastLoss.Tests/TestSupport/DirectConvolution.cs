using FastLoss.Kernels;

namespace FastLoss.Tests.TestSupport;

/// <summary>The convolution and its gradients by their definitions, in float64, with the magnitude of each sum.</summary>
internal sealed class DirectConvolution(Conv2dGeometry g, float[] image, float[] weight)
{
    public (double[] Values, double[] Magnitudes) Forward(float[] bias)
    {
        var start = new double[g.OutputSize];
        for (int i = 0; i < start.Length; i++)
        {
            start[i] = bias[i / g.OutputPixels];
        }

        return Sum(start, (o, p, w, x) => ((o * g.OutputPixels) + p, (double)weight[w] * image[x]));
    }

    /// <summary>
    /// Values (or magnitudes, with <paramref name="absolute"/>) of a result accumulated onto <paramref name="initial"/>:
    /// each value plus the initial one (or its magnitude).
    /// </summary>
    public static double[] PlusInitial(double[] values, float[] initial, bool absolute = false)
    {
        var sum = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            sum[i] = values[i] + (absolute ? Math.Abs(initial[i]) : initial[i]);
        }

        return sum;
    }

    public (double[] Values, double[] Magnitudes) WeightGrad(float[] outputGrad) =>
        Sum(new double[g.WeightSize], (o, p, w, x) => (w, (double)outputGrad[(o * g.OutputPixels) + p] * image[x]));

    public (double[] Values, double[] Magnitudes) InputGrad(float[] outputGrad) =>
        Sum(new double[g.InputSize], (o, p, w, x) => (x, (double)outputGrad[(o * g.OutputPixels) + p] * weight[w]));

    /// <summary>Adds each product that <paramref name="term"/> gives for a visit to <paramref name="start"/>, with the magnitudes of all the summands.</summary>
    private (double[] Values, double[] Magnitudes) Sum(double[] start, Func<int, int, int, int, (int Index, double Product)> term)
    {
        double[] values = start;
        double[] magnitudes = Array.ConvertAll(start, Math.Abs);
        Visit((o, p, w, x) =>
        {
            (int index, double product) = term(o, p, w, x);
            values[index] += product;
            magnitudes[index] += Math.Abs(product);
        });
        return (values, magnitudes);
    }

    /// <summary>Calls <paramref name="term"/>(output channel, output pixel, weight index, input index) for every product inside the image.</summary>
    private void Visit(Action<int, int, int, int> term)
    {
        for (int o = 0; o < g.OutChannels; o++)
        {
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    for (int c = 0; c < g.InChannels; c++)
                    {
                        for (int ki = 0; ki < g.KernelHeight; ki++)
                        {
                            int iy = (oy * g.StrideHeight) + ki - g.PaddingHeight;
                            for (int kj = 0; kj < g.KernelWidth; kj++)
                            {
                                int ix = (ox * g.StrideWidth) + kj - g.PaddingWidth;
                                if ((uint)iy < (uint)g.InHeight && (uint)ix < (uint)g.InWidth)
                                {
                                    int w = (((((o * g.InChannels) + c) * g.KernelHeight) + ki) * g.KernelWidth) + kj;
                                    term(o, (oy * g.OutWidth) + ox, w, (((c * g.InHeight) + iy) * g.InWidth) + ix);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
