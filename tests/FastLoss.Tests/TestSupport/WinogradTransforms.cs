namespace FastLoss.Tests.TestSupport;

/// <summary>
/// The reference for the transforms WinogradConvolution writes out as formulas: the matrices of Winograd's minimal
/// filtering algorithm F(m, r) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016), built
/// by Cook-Toom from the α - 1 finite points of <see cref="Points"/>
/// and the point at infinity, α = m + r - 1. The m outputs y_i = Σ_k d_(i+k) g_k of a correlation of α inputs d
/// with r taps g are y = Aᵀ[(G g) ⊙ (Bᵀ d)]: α products instead of m r. In two dimensions a tile of α x α
/// inputs gives m x m outputs as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A.
/// <para>
/// Derivation: the linear convolution s = g * h of g with an m-tap h is evaluated at the points and interpolated,
/// s = X[(V_g g) ⊙ (V_h h)], with V the Vandermonde matrices (a last row taking the leading coefficient, for the
/// point at infinity) and X the Lagrange interpolation (a last column Π(x - p_l) for the leading coefficient).
/// The correlation is the transpose of h ↦ s, so y = V_hᵀ[(V_g g) ⊙ (Xᵀ d)]; the Lagrange denominators move from
/// X into G, which leaves Bᵀ with the integer coefficients of the products Π(x - p_l).
/// </para>
/// </summary>
internal sealed class WinogradTransforms
{
    /// <summary>
    /// The interpolation points, small ones first (small points keep the coefficients, and their rounding, small);
    /// the first five are the set WinogradConvolution uses for F(2, 5).
    /// </summary>
    private static readonly double[] Points = [0, 1, -1, 2, -0.5, -2, 0.5, 3, -3];

    /// <summary>The largest α the points allow.</summary>
    public const int MaxAlpha = 10;

    public WinogradTransforms(int outputs, int taps)
    {
        int alpha = outputs + taps - 1;
        if (outputs < 1 || taps < 1 || alpha > MaxAlpha)
        {
            throw new ArgumentOutOfRangeException(
                nameof(outputs), $"Winograd F(m, r) needs m >= 1, r >= 1 and m + r - 1 <= {MaxAlpha}, got F({outputs}, {taps}).");
        }

        Outputs = outputs;
        Taps = taps;
        Alpha = alpha;
        int finite = alpha - 1;

        var outputTransform = new double[outputs * alpha];
        var kernelTransform = new double[alpha * taps];
        var inputTransform = new double[alpha * alpha];
        for (int j = 0; j < finite; j++)
        {
            double point = Points[j];
            double power = 1;
            for (int i = 0; i < outputs; i++, power *= point)
            {
                outputTransform[(i * alpha) + j] = power;
            }

            double denominator = 1;
            for (int l = 0; l < finite; l++)
            {
                if (l != j)
                {
                    denominator *= point - Points[l];
                }
            }

            power = 1;
            for (int k = 0; k < taps; k++, power *= point)
            {
                kernelTransform[(j * taps) + k] = power / denominator;
            }

            PolynomialWithRootsExcept(j, finite, inputTransform.AsSpan(j * alpha, alpha));
        }

        // The point at infinity: the leading coefficients.
        outputTransform[((outputs - 1) * alpha) + finite] = 1;
        kernelTransform[(finite * taps) + taps - 1] = 1;
        PolynomialWithRootsExcept(-1, finite, inputTransform.AsSpan(finite * alpha, alpha));

        OutputTransform = new Matrix(outputs, alpha, outputTransform);
        KernelTransform = new Matrix(alpha, taps, kernelTransform);
        InputTransform = new Matrix(alpha, alpha, inputTransform);
    }

    /// <summary>m, the outputs of one tile side.</summary>
    public int Outputs { get; }

    /// <summary>r, the kernel taps of one side.</summary>
    public int Taps { get; }

    /// <summary>α = m + r - 1, the inputs of one tile side and the products per side.</summary>
    public int Alpha { get; }

    /// <summary>Aᵀ (m x α).</summary>
    public Matrix OutputTransform { get; }

    /// <summary>G (α x r).</summary>
    public Matrix KernelTransform { get; }

    /// <summary>Bᵀ (α x α).</summary>
    public Matrix InputTransform { get; }

    /// <summary>The coefficients of Π(x - p_l) over the first <paramref name="finite"/> points but <paramref name="skip"/>, lowest power first.</summary>
    private static void PolynomialWithRootsExcept(int skip, int finite, Span<double> coefficients)
    {
        coefficients.Clear();
        coefficients[0] = 1;
        int degree = 0;
        for (int l = 0; l < finite; l++)
        {
            if (l == skip)
            {
                continue;
            }

            // Multiply by (x - p_l).
            degree++;
            for (int n = degree; n > 0; n--)
            {
                coefficients[n] = coefficients[n - 1] - (Points[l] * coefficients[n]);
            }

            coefficients[0] = -Points[l] * coefficients[0];
        }
    }

    /// <summary>A small matrix: its entries row by row, in float64.</summary>
    internal sealed class Matrix(int rows, int columns, double[] values)
    {
        public int Rows { get; } = rows;

        public int Columns { get; } = columns;

        public double[] Values { get; } = values;
    }
}
