using System.Runtime.Intrinsics;
using FastLoss.Generation;

namespace FastLoss.Tests.Generation;

/// <summary>
/// The float32 vector exp and log against float64 Math over their whole range, and at the special values.
/// Tolerance: 3e-7 relative (about 2.5 ulp) where the result is a normal float.
/// </summary>
public class FastVectorMathTests
{
    [Fact]
    public void Exp_is_within_a_few_ulp_from_underflow_to_overflow()
    {
        var inputs = new List<float>();
        for (float v = -87f; v < 88f; v += 0.0137f)
        {
            inputs.Add(v);
        }

        // Results below float's smallest normal (gradual underflow down to e^-103.97, the smallest subnormal).
        for (float v = -103.9f; v < -87f; v += 0.37f)
        {
            inputs.Add(v);
        }

        inputs.AddRange([0f, -0f, 1e-30f, -1e-30f, 1e-7f, 88.37f, -87.33f]);
        CheckAll(inputs, FastVectorMath.Exp, Math.Exp);
    }

    [Fact]
    public void Log_is_within_a_few_ulp_over_all_positive_floats_including_subnormals()
    {
        var inputs = new List<float>();
        for (double v = 1e-44; v < 3e38; v *= 1.0173)
        {
            inputs.Add((float)v);
        }

        for (float v = 0.5f; v < 2f; v += 0.000377f)
        {
            inputs.Add(v); // the reduction's boundaries and log near 1
        }

        inputs.AddRange([1f, float.Epsilon, float.MaxValue, 1.17549435e-38f, 1.4142135f, 0.70710677f]);
        CheckAll(inputs, FastVectorMath.Log, Math.Log);
    }

    [Fact]
    public void Special_values_follow_IEEE()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1000f, -1000f, 0f, -1f, 89f, -104f, 1f, 2f, 3f, 4f, 5f, 6f, 7f];
        var exp = FastVectorMath.Exp(Vector512.Create(x));
        var log = FastVectorMath.Log(Vector512.Create(x));
        Assert.True(float.IsNaN(exp[0]));
        Assert.Equal(float.PositiveInfinity, exp[1]);
        Assert.Equal(0f, exp[2]);
        Assert.Equal(float.PositiveInfinity, exp[3]);
        Assert.Equal(0f, exp[4]);
        Assert.Equal(1f, exp[5]);
        Assert.Equal(float.PositiveInfinity, exp[7]);
        Assert.Equal(0f, exp[8]);
        Assert.True(float.IsNaN(log[0]));
        Assert.Equal(float.PositiveInfinity, log[1]);
        Assert.True(float.IsNaN(log[2]));
        Assert.Equal(float.NegativeInfinity, log[5]);
        Assert.True(float.IsNaN(log[6]));
        Assert.Equal(0f, log[9]);
    }

    private static void CheckAll(List<float> inputs, Func<Vector512<float>, Vector512<float>> vector, Func<double, double> reference)
    {
        var lane = new float[16];
        for (int start = 0; start < inputs.Count; start += 16)
        {
            for (int k = 0; k < 16; k++)
            {
                lane[k] = inputs[Math.Min(start + k, inputs.Count - 1)];
            }

            var result = vector(Vector512.Create(lane));
            for (int k = 0; k < 16; k++)
            {
                double expected = reference(lane[k]);
                double error = Math.Abs(result[k] - expected);
                double tolerance = Math.Max(3e-7 * Math.Abs(expected), 1e-38);
                Assert.True(error <= tolerance, $"f({lane[k]:R}) = {result[k]:R}, expected {expected:R}");
            }
        }
    }
}
