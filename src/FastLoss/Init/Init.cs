using System.Globalization;

namespace FastLoss;

/// <summary>Which fan Kaiming initialisation scales by (torch's <c>mode</c>).</summary>
public enum FanMode
{
    /// <summary>Preserves the variance of activations in the forward pass.</summary>
    FanIn,

    /// <summary>Preserves the variance of gradients in the backward pass.</summary>
    FanOut,
}

/// <summary>
/// torch.nn.init: in-place initialisers drawing from a <see cref="Generator"/> (the default one unless given),
/// with torch's formulas for bounds and standard deviations and torch's messages for bad arguments.
/// </summary>
public static class Init
{
    /// <summary>Seeds the default generator (torch.manual_seed).</summary>
    public static void ManualSeed(long seed) => Generator.Default.ManualSeed(seed);

    /// <summary>torch.nn.init.calculate_gain: the recommended gain for a nonlinearity given by torch's name.</summary>
    public static double CalculateGain(string nonlinearity, double? param = null)
    {
        ArgumentNullException.ThrowIfNull(nonlinearity);
        switch (nonlinearity)
        {
            case "linear":
            case "conv1d":
            case "conv2d":
            case "conv3d":
            case "conv_transpose1d":
            case "conv_transpose2d":
            case "conv_transpose3d":
            case "sigmoid":
                return 1.0;
            case "tanh":
                return 5.0 / 3.0;
            case "relu":
                return Math.Sqrt(2.0);
            case "leaky_relu":
                double slope = param ?? 0.01;
                if (double.IsNaN(slope))
                {
                    throw new ArgumentException($"negative_slope {slope.ToString(CultureInfo.InvariantCulture)} not a valid number", nameof(param));
                }

                return Math.Sqrt(2.0 / (1.0 + (slope * slope)));
            case "selu":
                return 3.0 / 4.0;
            default:
                throw new ArgumentException($"Unsupported nonlinearity {nonlinearity}", nameof(nonlinearity));
        }
    }

    /// <summary>fan_in = size(1) x receptive field, fan_out = size(0) x receptive field (torch's rule).</summary>
    public static (int FanIn, int FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2)
        {
            throw new ArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions", nameof(tensor));
        }

        int receptiveField = 1;
        for (int d = 2; d < tensor.Rank; d++)
        {
            receptiveField *= tensor.Shape[d];
        }

        return (tensor.Shape[1] * receptiveField, tensor.Shape[0] * receptiveField);
    }

    /// <summary>Fills with uniform samples in [low, high).</summary>
    public static Tensor Uniform(Tensor tensor, double low = 0.0, double high = 1.0, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!(low <= high))
        {
            throw new ArgumentException(
                $"uniform_ expects to return a [from, to) range, but found from={Format(low)} > to={Format(high)}", nameof(low));
        }

        (generator ?? Generator.Default).FillUniform(tensor.Span, low, high);
        return tensor;
    }

    /// <summary>Fills with normal samples.</summary>
    public static Tensor Normal(Tensor tensor, double mean = 0.0, double std = 1.0, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!(std >= 0.0))
        {
            throw new ArgumentException($"normal expects std >= 0.0, but found std {Format(std)}", nameof(std));
        }

        (generator ?? Generator.Default).FillNormal(tensor.Span, mean, std);
        return tensor;
    }

    /// <summary>Fills with <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor tensor, float value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Span.Fill(value);
        return tensor;
    }

    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0f);

    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1f);

    /// <summary>Glorot uniform: bound = gain * sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1.0, Generator? generator = null)
    {
        (int fanIn, int fanOut) = CalculateFanInAndFanOut(tensor);
        double bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>Glorot normal: std = gain * sqrt(2 / (fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1.0, Generator? generator = null)
    {
        (int fanIn, int fanOut) = CalculateFanInAndFanOut(tensor);
        double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        return Normal(tensor, 0.0, std, generator);
    }

    /// <summary>He uniform: bound = sqrt(3) * gain(nonlinearity, a) / sqrt(fan). A zero-element tensor is left alone.</summary>
    public static Tensor KaimingUniform(
        Tensor tensor, double a = 0.0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Length == 0)
        {
            return tensor;
        }

        double std = KaimingStd(tensor, a, mode, nonlinearity);
        double bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>He normal: std = gain(nonlinearity, a) / sqrt(fan). A zero-element tensor is left alone.</summary>
    public static Tensor KaimingNormal(
        Tensor tensor, double a = 0.0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Length == 0)
        {
            return tensor;
        }

        return Normal(tensor, 0.0, KaimingStd(tensor, a, mode, nonlinearity), generator);
    }

    /// <summary>
    /// torch's reset_parameters for Linear and Conv2d: weight kaiming_uniform with a = sqrt(5), i.e.
    /// uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias uniform over the same bound.
    /// </summary>
    internal static void DefaultLayer(Tensor weight, Tensor? bias, Generator? generator)
    {
        KaimingUniform(weight, a: Math.Sqrt(5.0), generator: generator);
        if (bias is not null)
        {
            int fanIn = CalculateFanInAndFanOut(weight).FanIn;
            double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;
            Uniform(bias, -bound, bound, generator);
        }
    }

    private static double KaimingStd(Tensor tensor, double a, FanMode mode, string nonlinearity)
    {
        (int fanIn, int fanOut) = CalculateFanInAndFanOut(tensor);
        int fan = mode switch
        {
            FanMode.FanIn => fanIn,
            FanMode.FanOut => fanOut,
            _ => throw new ArgumentException($"Mode {mode} not supported, please use one of fan_in, fan_out", nameof(mode)),
        };
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
