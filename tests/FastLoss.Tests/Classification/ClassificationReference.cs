namespace FastLoss.Tests.Classification;

/// <summary>
/// torch's classification losses in float64, written as plainly as the formulas in pytorch-semantics.md:
/// log_softmax, then nll_loss (or the probability-target sum), then the reduction. Gradients go the way torch's
/// autograd goes: d loss / d log_softmax first, then log_softmax's backward (g - softmax * sum g). The layout is
/// (batch, classes, inner): element (b, c, i) at (b * classes + c) * inner + i.
/// </summary>
internal static class ClassificationReference
{
    public static double[] LogSoftmax(double[] x, int batch, int classes, int inner)
    {
        var result = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                double max = double.NegativeInfinity;
                for (int c = 0; c < classes; c++)
                {
                    max = Math.Max(max, x[At(b, c, i, classes, inner)]);
                }

                double sum = 0;
                for (int c = 0; c < classes; c++)
                {
                    sum += Math.Exp(x[At(b, c, i, classes, inner)] - max);
                }

                double logSum = Math.Log(sum);
                for (int c = 0; c < classes; c++)
                {
                    result[At(b, c, i, classes, inner)] = x[At(b, c, i, classes, inner)] - max - logSum;
                }
            }
        }

        return result;
    }

    public static double[] Softmax(double[] x, int batch, int classes, int inner)
    {
        double[] log = LogSoftmax(x, batch, classes, inner);
        var result = new double[log.Length];
        for (int k = 0; k < log.Length; k++)
        {
            result[k] = Math.Exp(log[k]);
        }

        return result;
    }

    /// <summary>The per-entry losses and the reduced loss of class-index targets (the reduced value is NaN-aware as torch's 0/0).</summary>
    public static (double[] Entries, double Reduced) CrossEntropyIndex(
        double[] x, int batch, int classes, int inner, long[] target, double[]? weight, long ignoreIndex, Reduction reduction, double eps)
    {
        double[] logp = LogSoftmax(x, batch, classes, inner);
        var nll = new double[batch * inner];
        var smooth = new double[batch * inner];
        double denominator = 0;
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                long t = target[(b * inner) + i];
                if (t == ignoreIndex)
                {
                    continue;
                }

                double wy = weight?[t] ?? 1.0;
                denominator += wy;
                nll[(b * inner) + i] = -wy * logp[At(b, (int)t, i, classes, inner)];
                double s = 0;
                for (int c = 0; c < classes; c++)
                {
                    s -= (weight?[c] ?? 1.0) * logp[At(b, c, i, classes, inner)];
                }

                smooth[(b * inner) + i] = s;
            }
        }

        // Without label smoothing torch computes no smoothing term at all (0 times an infinite one would be NaN).
        var entries = new double[nll.Length];
        for (int n = 0; n < entries.Length; n++)
        {
            entries[n] = eps == 0 ? nll[n] : ((1 - eps) * nll[n]) + (eps / classes * smooth[n]);
        }

        double reduced = reduction switch
        {
            Reduction.Sum => eps == 0 ? nll.Sum() : ((1 - eps) * nll.Sum()) + (eps / classes * smooth.Sum()),
            Reduction.Mean => eps == 0 ? nll.Sum() / denominator : ((1 - eps) * nll.Sum() / denominator) + (eps / classes * smooth.Sum() / denominator),
            _ => double.NaN,
        };
        return (entries, reduced);
    }

    /// <summary>
    /// d(loss) / d x for a reduced loss, or d(sum_n upstream[n] * l_n) / d x for <see cref="Reduction.None"/>.
    /// </summary>
    public static double[] CrossEntropyIndexGradient(
        double[] x, int batch, int classes, int inner, long[] target, double[]? weight, long ignoreIndex, Reduction reduction, double eps, double[]? upstream)
    {
        double[] logp = LogSoftmax(x, batch, classes, inner);
        double denominator = 0;
        foreach (long t in target)
        {
            if (t != ignoreIndex)
            {
                denominator += weight?[t] ?? 1.0;
            }
        }

        var gradLogp = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                int n = (b * inner) + i;
                long t = target[n];
                if (t == ignoreIndex)
                {
                    continue;
                }

                double coefficient = reduction switch
                {
                    Reduction.Mean => 1.0 / denominator,
                    Reduction.Sum => 1.0,
                    _ => upstream?[n] ?? 1.0,
                };
                gradLogp[At(b, (int)t, i, classes, inner)] -= coefficient * (1 - eps) * (weight?[t] ?? 1.0);
                for (int c = 0; c < classes; c++)
                {
                    gradLogp[At(b, c, i, classes, inner)] -= coefficient * eps / classes * (weight?[c] ?? 1.0);
                }
            }
        }

        return LogSoftmaxBackward(logp, gradLogp, batch, classes, inner);
    }

    public static (double[] Entries, double Reduced) CrossEntropyProbabilities(
        double[] x, int batch, int classes, int inner, double[] target, double[]? weight, Reduction reduction, double eps)
    {
        double[] logp = LogSoftmax(x, batch, classes, inner);
        var entries = new double[batch * inner];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                double l = 0;
                for (int c = 0; c < classes; c++)
                {
                    int at = At(b, c, i, classes, inner);
                    double smoothed = (target[at] * (1 - eps)) + (eps / classes);
                    l -= (weight?[c] ?? 1.0) * smoothed * logp[at];
                }

                entries[(b * inner) + i] = l;
            }
        }

        double reduced = reduction switch
        {
            Reduction.Sum => entries.Sum(),
            Reduction.Mean => entries.Sum() / entries.Length,
            _ => double.NaN,
        };
        return (entries, reduced);
    }

    public static double[] CrossEntropyProbabilitiesGradient(
        double[] x, int batch, int classes, int inner, double[] target, double[]? weight, Reduction reduction, double eps, double[]? upstream)
    {
        double[] logp = LogSoftmax(x, batch, classes, inner);
        var gradLogp = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                int n = (b * inner) + i;
                double coefficient = reduction switch
                {
                    Reduction.Mean => 1.0 / (batch * inner),
                    Reduction.Sum => 1.0,
                    _ => upstream?[n] ?? 1.0,
                };
                for (int c = 0; c < classes; c++)
                {
                    int at = At(b, c, i, classes, inner);
                    double smoothed = (target[at] * (1 - eps)) + (eps / classes);
                    gradLogp[at] = -coefficient * (weight?[c] ?? 1.0) * smoothed;
                }
            }
        }

        return LogSoftmaxBackward(logp, gradLogp, batch, classes, inner);
    }

    public static (double[] Entries, double Reduced) Nll(
        double[] x, int batch, int classes, int inner, long[] target, double[]? weight, long ignoreIndex, Reduction reduction)
    {
        var entries = new double[batch * inner];
        double denominator = 0;
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                long t = target[(b * inner) + i];
                if (t == ignoreIndex)
                {
                    continue;
                }

                double wy = weight?[t] ?? 1.0;
                denominator += wy;
                entries[(b * inner) + i] = -wy * x[At(b, (int)t, i, classes, inner)];
            }
        }

        double reduced = reduction switch
        {
            Reduction.Sum => entries.Sum(),
            Reduction.Mean => entries.Sum() / denominator,
            _ => double.NaN,
        };
        return (entries, reduced);
    }

    /// <summary>The gradient of nll_loss: -coefficient * w[y] at each kept entry's target class.</summary>
    public static double[] NllGradient(
        int batch, int classes, int inner, long[] target, double[]? weight, long ignoreIndex, Reduction reduction, double[]? upstream)
    {
        double denominator = 0;
        foreach (long t in target)
        {
            if (t != ignoreIndex)
            {
                denominator += weight?[t] ?? 1.0;
            }
        }

        var gradient = new double[batch * classes * inner];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                int n = (b * inner) + i;
                long t = target[n];
                if (t == ignoreIndex)
                {
                    continue;
                }

                double coefficient = reduction switch
                {
                    Reduction.Mean => 1.0 / denominator,
                    Reduction.Sum => 1.0,
                    _ => upstream?[n] ?? 1.0,
                };
                gradient[At(b, (int)t, i, classes, inner)] = -coefficient * (weight?[t] ?? 1.0);
            }
        }

        return gradient;
    }

    /// <summary>dx = g - softmax * sum_c g, per (b, i).</summary>
    public static double[] LogSoftmaxBackward(double[] logp, double[] grad, int batch, int classes, int inner)
    {
        var result = new double[grad.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                double sum = 0;
                for (int c = 0; c < classes; c++)
                {
                    sum += grad[At(b, c, i, classes, inner)];
                }

                for (int c = 0; c < classes; c++)
                {
                    int at = At(b, c, i, classes, inner);
                    result[at] = grad[at] - (Math.Exp(logp[at]) * sum);
                }
            }
        }

        return result;
    }

    /// <summary>dx = y * (g - sum_c g * y), per (b, i).</summary>
    public static double[] SoftmaxBackward(double[] y, double[] grad, int batch, int classes, int inner)
    {
        var result = new double[grad.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                double dot = 0;
                for (int c = 0; c < classes; c++)
                {
                    dot += grad[At(b, c, i, classes, inner)] * y[At(b, c, i, classes, inner)];
                }

                for (int c = 0; c < classes; c++)
                {
                    int at = At(b, c, i, classes, inner);
                    result[at] = y[at] * (grad[at] - dot);
                }
            }
        }

        return result;
    }

    public static int At(int b, int c, int i, int classes, int inner) => (((b * classes) + c) * inner) + i;
}
