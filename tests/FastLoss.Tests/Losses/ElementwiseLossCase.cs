using System.Globalization;
using FastLoss.Functional;

namespace FastLoss.Tests.Losses;

/// <summary>
/// One elementwise loss with fixed options, seen through its span API and through an independent float64
/// reference of torch's formula. The difference x - y is taken in float32 as torch's kernels do (so both
/// sides agree on which branch applies); everything after it is float64.
/// </summary>
public sealed class ElementwiseLossCase
{
    public required string Name { get; init; }

    /// <summary>Whether inputs are probabilities (BCE) rather than unbounded values.</summary>
    public bool ProbabilityInput { get; init; }

    public bool UsesWeight { get; init; }

    public bool UsesPosWeight { get; init; }

    public required Func<float[], float[], float[], float[], Reduction, float> Forward { get; init; }

    public required Action<float[], float[], float[], float[], float[]> ForwardNone { get; init; }

    public required Action<float[], float[], float[], float[], float[], Reduction, float> Backward { get; init; }

    public required Action<float[], float[], float[], float[], float[], float[]> BackwardNone { get; init; }

    public required Func<float[], float[], float[], float[], float[], Reduction, float> ForwardBackward { get; init; }

    /// <summary>d(reduced loss)/d(target) times upstream: (x, y, w, p, targetGrad, reduction, upstream).</summary>
    public required Action<float[], float[], float[], float[], float[], Reduction, float> TargetBackward { get; init; }

    /// <summary>upstream[i] * d loss[i] / d target[i]: (x, y, w, p, upstream, targetGrad).</summary>
    public required Action<float[], float[], float[], float[], float[], float[]> TargetBackwardNone { get; init; }

    /// <summary>d loss / d y per element in float64 (torch's target gradient), with weight w and pos_weight p.</summary>
    public required Func<float, float, double, double, double> TargetReference { get; init; }

    /// <summary>(loss, d loss / d x) per element in float64, with weight w and pos_weight p (1 when absent).</summary>
    public required Func<float, float, double, double, (double Loss, double Gradient)> Reference { get; init; }

    /// <summary>
    /// The size of the terms a float32 evaluation of the loss adds up, when they can cancel (BCEWithLogits at
    /// negative logits: (1 - y) x + (1 + (p - 1) y) (-x) ...). torch computes the same float32 form, so its error
    /// is relative to this, not to the result. Null: the loss itself.
    /// </summary>
    public Func<float, float, double, double, double>? Magnitude { get; init; }

    public override string ToString() => Name;

    public static IEnumerable<ElementwiseLossCase> All()
    {
        yield return new ElementwiseLossCase
        {
            Name = "L1",
            Forward = (x, y, w, p, r) => L1.Forward(x, y, r),
            ForwardNone = (x, y, w, p, l) => L1.ForwardNone(x, y, l),
            Backward = (x, y, w, p, g, r, u) => L1.Backward(x, y, g, r, u),
            BackwardNone = (x, y, w, p, u, g) => L1.BackwardNone(x, y, u, g),
            ForwardBackward = (x, y, w, p, g, r) => L1.ForwardBackward(x, y, g, r),
            TargetBackward = (x, y, w, p, g, r, u) => L1.TargetBackward(x, y, g, r, u),
            TargetBackwardNone = (x, y, w, p, u, g) => L1.TargetBackwardNone(x, y, u, g),
            TargetReference = (x, y, w, p) => -TorchSign(x - y),
            Reference = (x, y, w, p) =>
            {
                double d = x - y;
                return (Math.Abs(d), TorchSign(x - y));
            },
        };
        yield return new ElementwiseLossCase
        {
            Name = "MSE",
            Forward = (x, y, w, p, r) => MeanSquaredError.Forward(x, y, r),
            ForwardNone = (x, y, w, p, l) => MeanSquaredError.ForwardNone(x, y, l),
            Backward = (x, y, w, p, g, r, u) => MeanSquaredError.Backward(x, y, g, r, u),
            BackwardNone = (x, y, w, p, u, g) => MeanSquaredError.BackwardNone(x, y, u, g),
            ForwardBackward = (x, y, w, p, g, r) => MeanSquaredError.ForwardBackward(x, y, g, r),
            TargetBackward = (x, y, w, p, g, r, u) => MeanSquaredError.TargetBackward(x, y, g, r, u),
            TargetBackwardNone = (x, y, w, p, u, g) => MeanSquaredError.TargetBackwardNone(x, y, u, g),
            TargetReference = (x, y, w, p) => -2.0 * (x - y),
            Reference = (x, y, w, p) =>
            {
                double d = x - y; // float32's difference: infinite where it overflows, as torch's
                return (d * d, 2 * d);
            },
        };
        foreach (float beta in new[] { 1f, 0.5f, 0f, 3f })
        {
            yield return SmoothL1Case(beta);
        }

        foreach (float delta in new[] { 1f, 2.5f })
        {
            yield return HuberCase(delta);
        }

        foreach (bool weighted in new[] { false, true })
        {
            yield return new ElementwiseLossCase
            {
                Name = weighted ? "BCE(weight)" : "BCE",
                ProbabilityInput = true,
                UsesWeight = weighted,
                Forward = (x, y, w, p, r) => BinaryCrossEntropy.Forward(x, y, r, weighted ? w : default),
                ForwardNone = (x, y, w, p, l) => BinaryCrossEntropy.ForwardNone(x, y, l, weighted ? w : default),
                Backward = (x, y, w, p, g, r, u) => BinaryCrossEntropy.Backward(x, y, g, r, u, weighted ? w : default),
                BackwardNone = (x, y, w, p, u, g) => BinaryCrossEntropy.BackwardNone(x, y, u, g, weighted ? w : default),
                ForwardBackward = (x, y, w, p, g, r) => BinaryCrossEntropy.ForwardBackward(x, y, g, r, weighted ? w : default),
                TargetBackward = (x, y, w, p, g, r, u) => BinaryCrossEntropy.TargetBackward(x, y, g, r, u, weighted ? w : default),
                TargetBackwardNone = (x, y, w, p, u, g) => BinaryCrossEntropy.TargetBackwardNone(x, y, u, g, weighted ? w : default),

                // torch's binary_cross_entropy_target_backward: -logit(x), unclamped.
                TargetReference = (x, y, w, p) => -w * (Math.Log(x) - Math.Log(1 - (double)x)),
                Reference = (x, y, w, p) =>
                {
                    double xd = x;
                    double loss = -w * ((y * Math.Max(Math.Log(xd), -100)) + ((1 - y) * Math.Max(Math.Log(1 - xd), -100)));
                    double gradient = w * (xd - y) / Math.Max((1 - xd) * xd, 1e-12f);
                    return (loss, gradient);
                },
            };
        }

        foreach (var (weighted, posWeighted) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            yield return new ElementwiseLossCase
            {
                Name = $"BCEWithLogits(weight={weighted}, pos_weight={posWeighted})",
                UsesWeight = weighted,
                UsesPosWeight = posWeighted,
                Forward = (x, y, w, p, r) => BinaryCrossEntropyWithLogits.Forward(x, y, r, weighted ? w : default, posWeighted ? p : default),
                ForwardNone = (x, y, w, p, l) => BinaryCrossEntropyWithLogits.ForwardNone(x, y, l, weighted ? w : default, posWeighted ? p : default),
                Backward = (x, y, w, p, g, r, u) => BinaryCrossEntropyWithLogits.Backward(x, y, g, r, u, weighted ? w : default, posWeighted ? p : default),
                BackwardNone = (x, y, w, p, u, g) => BinaryCrossEntropyWithLogits.BackwardNone(x, y, u, g, weighted ? w : default, posWeighted ? p : default),
                ForwardBackward = (x, y, w, p, g, r) => BinaryCrossEntropyWithLogits.ForwardBackward(x, y, g, r, weighted ? w : default, posWeighted ? p : default),
                TargetBackward = (x, y, w, p, g, r, u) => BinaryCrossEntropyWithLogits.TargetBackward(x, y, g, r, u, weighted ? w : default, posWeighted ? p : default),
                TargetBackwardNone = (x, y, w, p, u, g) => BinaryCrossEntropyWithLogits.TargetBackwardNone(x, y, u, g, weighted ? w : default, posWeighted ? p : default),

                // torch's binary_cross_entropy_with_logits_target_backward: log_sigmoid(-x) - p log_sigmoid(x).
                TargetReference = (x, y, w, p) => w * (-Softplus(x) + (p * Softplus(-(double)x))),
                Reference = (x, y, w, p) =>
                {
                    double xd = x;
                    // torch's forward form, (1 - y) x - (1 + (p - 1) y) log_sigmoid(x), and its backward,
                    // (p y + 1 - y) sigmoid(x) - p y, in float64 (log-sigmoid through a stable softplus): the same
                    // answer as the textbook -w (p y log s + (1 - y) log(1 - s)) where both are finite, and torch's
                    // NaN or infinity at infinite logits (x = -inf, y = 1/2: -inf + inf), which the textbook's is not.
                    double loss = w * (((1 - y) * xd) + ((1 + ((p - 1) * y)) * Softplus(-xd)));
                    double sigmoid = xd >= 0 ? 1 / (1 + Math.Exp(-xd)) : Math.Exp(xd) / (1 + Math.Exp(xd));
                    double gradient = w * ((((p * y) + 1 - y) * sigmoid) - (p * y));
                    return (loss, gradient);
                },
                // 1 + (p - 1) y is rounded relative to its parts (it cancels for p near 0 and y near 1).
                Magnitude = (x, y, w, p) => Math.Abs(w) * ((Math.Abs((1 - y) * x)) + ((1 + Math.Abs((p - 1) * y)) * (Math.Abs(x) + 1))),
            };
        }
    }

    /// <summary>SmoothL1Loss with the given beta; its gradients as torch's smooth_l1_loss_backward compares, L1's at beta = 0.</summary>
    public static ElementwiseLossCase SmoothL1Case(float beta) => new()
    {
        Name = string.Create(CultureInfo.InvariantCulture, $"SmoothL1(beta={beta})"),
        Forward = (x, y, w, p, r) => SmoothL1.Forward(x, y, r, beta),
        ForwardNone = (x, y, w, p, l) => SmoothL1.ForwardNone(x, y, l, beta),
        Backward = (x, y, w, p, g, r, u) => SmoothL1.Backward(x, y, g, r, u, beta),
        BackwardNone = (x, y, w, p, u, g) => SmoothL1.BackwardNone(x, y, u, g, beta),
        ForwardBackward = (x, y, w, p, g, r) => SmoothL1.ForwardBackward(x, y, g, r, beta),
        TargetBackward = (x, y, w, p, g, r, u) => SmoothL1.TargetBackward(x, y, g, r, u, beta),
        TargetBackwardNone = (x, y, w, p, u, g) => SmoothL1.TargetBackwardNone(x, y, u, g, beta),
        TargetReference = (x, y, w, p) => beta == 0f ? -TorchSign(x - y) : SmoothL1Slope(y - x, beta),
        Reference = (x, y, w, p) =>
        {
            float d32 = x - y;
            double d = d32;
            double z = Math.Abs(d);
            if (beta == 0f)
            {
                return (z, TorchSign(d32)); // torch routes beta = 0 to l1_loss
            }

            return (MathF.Abs(d32) < beta ? 0.5 * d * d / beta : z - (0.5 * beta), SmoothL1Slope(d32, beta));
        },
    };

    /// <summary>HuberLoss with the given delta; its gradients as torch's huber_loss_backward compares.</summary>
    public static ElementwiseLossCase HuberCase(float delta) => new()
    {
        Name = string.Create(CultureInfo.InvariantCulture, $"Huber(delta={delta})"),
        Forward = (x, y, w, p, r) => Huber.Forward(x, y, r, delta),
        ForwardNone = (x, y, w, p, l) => Huber.ForwardNone(x, y, l, delta),
        Backward = (x, y, w, p, g, r, u) => Huber.Backward(x, y, g, r, u, delta),
        BackwardNone = (x, y, w, p, u, g) => Huber.BackwardNone(x, y, u, g, delta),
        ForwardBackward = (x, y, w, p, g, r) => Huber.ForwardBackward(x, y, g, r, delta),
        TargetBackward = (x, y, w, p, g, r, u) => Huber.TargetBackward(x, y, g, r, u, delta),
        TargetBackwardNone = (x, y, w, p, u, g) => Huber.TargetBackwardNone(x, y, u, g, delta),
        TargetReference = (x, y, w, p) => HuberSlope(y - x, delta),
        Reference = (x, y, w, p) =>
        {
            float d32 = x - y;
            double d = d32;
            double z = Math.Abs(d);
            return (MathF.Abs(d32) < delta ? 0.5 * d * d : delta * (z - (0.5 * delta)), HuberSlope(d32, delta));
        },
    };

    /// <summary>torch's sign, (0 &lt; d) - (d &lt; 0): 0 at ±0 and at NaN (what abs backpropagates).</summary>
    public static double TorchSign(float d) => d > 0 ? 1 : d < 0 ? -1 : 0;

    // torch's backward kernels compare the difference with -beta first, then beta: a NaN difference falls through to d / beta.
    private static double SmoothL1Slope(float d, float beta) => d <= -beta ? -1 : d >= beta ? 1 : (double)d / beta;

    private static double HuberSlope(float d, float delta) => d <= -delta ? -delta : d >= delta ? delta : d;

    private static double Softplus(double v) => v > 0 ? v + Math.Log(1 + Math.Exp(-v)) : Math.Log(1 + Math.Exp(v));
}
