namespace FastLoss.OnnxTests.Support;

/// <summary>
/// The agreement two runtimes can have on float32 logits: equal up to the rounding of sums taken in another order
/// (relative 1e-5 of the largest magnitude, plus 1e-6 for logits near 0), and the same class chosen in every row.
/// </summary>
internal static class LogitAgreement
{
    public const float RelativeTolerance = 1e-5f;
    public const float AbsoluteTolerance = 1e-6f;

    /// <summary>The largest |expected - actual| allowed for outputs whose largest magnitude is <paramref name="scale"/>.</summary>
    public static float Tolerance(float scale) => (RelativeTolerance * scale) + AbsoluteTolerance;

    /// <summary>Asserts that ONNX Runtime's output equals FastLoss's within rounding, and that each row's argmax is the same.</summary>
    public static void AssertAgree(Tensor fastLoss, (float[] Values, long[] Shape) onnxRuntime)
    {
        Assert.Equal(Array.ConvertAll(fastLoss.Shape.ToArray(), size => (long)size), onnxRuntime.Shape);
        ReadOnlySpan<float> expected = fastLoss.Values;
        float[] actual = onnxRuntime.Values;
        float scale = 0, worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(float.IsFinite(expected[i]) && float.IsFinite(actual[i]), $"non-finite output at {i}: FastLoss {expected[i]}, ONNX Runtime {actual[i]}");
            scale = Math.Max(scale, Math.Abs(expected[i]));
            float difference = Math.Abs(expected[i] - actual[i]);
            if (difference > worst)
            {
                worst = difference;
                worstIndex = i;
            }
        }

        float tolerance = Tolerance(scale);
        Assert.True(
            worst <= tolerance,
            $"largest difference {worst:G9} at {worstIndex} (FastLoss {expected[worstIndex]:G9}, ONNX Runtime {actual[worstIndex]:G9}) exceeds {tolerance:G9} for outputs up to {scale:G9}");

        int columns = fastLoss.Shape[^1];
        for (int row = 0; row < expected.Length / columns; row++)
        {
            Assert.True(
                ArgMax(expected.Slice(row * columns, columns)) == ArgMax(actual.AsSpan(row * columns, columns)),
                $"row {row}: FastLoss picks {ArgMax(expected.Slice(row * columns, columns))}, ONNX Runtime {ArgMax(actual.AsSpan(row * columns, columns))}");
        }
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            best = row[i] > row[best] ? i : best;
        }

        return best;
    }
}
