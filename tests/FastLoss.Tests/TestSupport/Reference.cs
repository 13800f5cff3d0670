namespace FastLoss.Tests.TestSupport;

/// <summary>Plain float64 definitions of the layers, written from torch's formulas, for comparison.</summary>
internal static class Reference
{
    /// <summary>Cross-correlation with zero padding: y[n, o, i, j] = b[o] + sum_{c, ki, kj} w[o, c, ki, kj] x[n, c, i s - p + ki, j s - p + kj].</summary>
    public static double[] Conv2d(
        double[] x, int n, int c, int h, int w, double[] weight, double[]? bias, int outChannels, int k, int stride, int pad,
        out int outH, out int outW)
    {
        int oh = ((h + (2 * pad) - k) / stride) + 1, ow = ((w + (2 * pad) - k) / stride) + 1;
        outH = oh;
        outW = ow;
        var y = new double[n * outChannels * oh * ow];
        for (int b = 0; b < n; b++)
        {
            for (int o = 0; o < outChannels; o++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        double sum = bias is null ? 0 : bias[o];
                        for (int ch = 0; ch < c; ch++)
                        {
                            for (int ki = 0; ki < k; ki++)
                            {
                                for (int kj = 0; kj < k; kj++)
                                {
                                    int ih = (i * stride) - pad + ki, iw = (j * stride) - pad + kj;
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                                    {
                                        sum += weight[(((o * c) + ch) * k * k) + (ki * k) + kj] * x[(((b * c) + ch) * h * w) + (ih * w) + iw];
                                    }
                                }
                            }
                        }

                        y[(((b * outChannels) + o) * oh * ow) + (i * ow) + j] = sum;
                    }
                }
            }
        }

        return y;
    }

    /// <summary>The gradients of sum(r * conv(x)) with respect to x, the weight and the bias.</summary>
    public static (double[] Input, double[] Weight, double[] Bias) Conv2dGrads(
        double[] x, int n, int c, int h, int w, double[] weight, int outChannels, int k, int stride, int pad, double[] r)
    {
        int oh = ((h + (2 * pad) - k) / stride) + 1, ow = ((w + (2 * pad) - k) / stride) + 1;
        var dx = new double[x.Length];
        var dw = new double[weight.Length];
        var db = new double[outChannels];
        for (int b = 0; b < n; b++)
        {
            for (int o = 0; o < outChannels; o++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        double g = r[(((b * outChannels) + o) * oh * ow) + (i * ow) + j];
                        db[o] += g;
                        for (int ch = 0; ch < c; ch++)
                        {
                            for (int ki = 0; ki < k; ki++)
                            {
                                for (int kj = 0; kj < k; kj++)
                                {
                                    int ih = (i * stride) - pad + ki, iw = (j * stride) - pad + kj;
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                                    {
                                        int wi = (((o * c) + ch) * k * k) + (ki * k) + kj;
                                        int xi = (((b * c) + ch) * h * w) + (ih * w) + iw;
                                        dw[wi] += g * x[xi];
                                        dx[xi] += g * weight[wi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        return (dx, dw, db);
    }

    /// <summary>Max pooling per plane with torch's winner rule (first maximum; NaN wins); returns outputs and winner indices.</summary>
    public static (double[] Output, int[] Winners) MaxPool2d(double[] x, int planes, int h, int w, int k, int stride)
    {
        int oh = ((h - k) / stride) + 1, ow = ((w - k) / stride) + 1;
        var y = new double[planes * oh * ow];
        var winners = new int[y.Length];
        for (int p = 0; p < planes; p++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    double best = double.NegativeInfinity;
                    int at = (p * h * w) + (i * stride * w) + (j * stride);
                    for (int a = 0; a < k; a++)
                    {
                        for (int b = 0; b < k; b++)
                        {
                            int index = (p * h * w) + (((i * stride) + a) * w) + (j * stride) + b;
                            if (x[index] > best || double.IsNaN(x[index]))
                            {
                                best = x[index];
                                at = index;
                            }
                        }
                    }

                    y[(p * oh * ow) + (i * ow) + j] = best;
                    winners[(p * oh * ow) + (i * ow) + j] = at;
                }
            }
        }

        return (y, winners);
    }

    /// <summary>y = x W^T + b with b per unit (length out), shared (length 1) or absent (null).</summary>
    public static double[] Linear(double[] x, int rows, int inFeatures, double[] weight, double[]? bias, int outFeatures)
    {
        var y = new double[rows * outFeatures];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = bias is null ? 0 : bias.Length == 1 ? bias[0] : bias[o];
                for (int i = 0; i < inFeatures; i++)
                {
                    sum += x[(r * inFeatures) + i] * weight[(o * inFeatures) + i];
                }

                y[(r * outFeatures) + o] = sum;
            }
        }

        return y;
    }

    public static double WeightedSum(double[] values, double[] r)
    {
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i] * r[i];
        }

        return sum;
    }
}
