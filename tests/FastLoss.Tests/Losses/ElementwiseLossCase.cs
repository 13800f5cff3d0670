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

    /// <summary>d(reduced loss)/d(target) times upstream: (x, y, w, p, targetGrad, reduction, upstream); null where torch has no target gradient.</summary>
    public Action<float[], float[], float[], float[], float[], Reduction, float>? TargetBackward { get; init; }

    /// <summary>upstream[i] * d loss[i] / d target[i]: (x, y, w, p, upstream, targetGrad).</summary>
    public Action<float[], float[], float[], float[], float[], float[]>? TargetBackwardNone { get; init; }

    /// <summary>d loss / d y per element in float64 (torch's target gradient), with weight w and pos_weight p.</summary>
    public Func<float, float, double, double, double>? TargetReference { get; init; }

    /// <summary>The size of the terms the target gradient adds up (its rounding is relative to them); null: none beyond the result.</summary>
    public Func<float, float, double>? TargetMagnitude { get; init; }

    /// <summary>The span class, so tests can check which entry points it has.</summary>
    public Type? Kernels { get; init; }

    /// <summary>The element of a loss with its own domain: (random, index, adversarial) to (x, y). Null: the shared domains.</summary>
    public Func<Random, int, bool, (float X, float Y)>? Sample { get; init; }

    /// <summary>
    /// The loss as a smooth float64 function of (x, y), for finite differences in both (before the weight, a factor);
    /// null: FiniteDifferenceTests' own.
    /// </summary>
    public Func<double, double, double>? Smooth { get; init; }

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

        yield return KLDivCase(logTarget: false);
        yield return KLDivCase(logTarget: true);
        foreach (var (logInput, full) in new[] { (true, false), (true, true), (false, false), (false, true) })
        {
            yield return PoissonNllCase(logInput, full);
        }

        yield return PoissonNllCase(logInput: false, full: true, eps: 0.5f);
        yield return SoftMarginCase();
        yield return MultiLabelSoftMarginCase(weighted: false);
        yield return MultiLabelSoftMarginCase(weighted: true);
        yield return HingeEmbeddingCase(1f);
        yield return HingeEmbeddingCase(-0.5f);

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

    /// <summary>KLDivLoss: log-probability inputs; probability targets with zeros (xlogy's 0 log 0), or log targets.</summary>
    public static ElementwiseLossCase KLDivCase(bool logTarget) => new()
    {
        Name = logTarget ? "KLDiv(log_target)" : "KLDiv",
        Kernels = typeof(KLDivergence),
        Forward = (x, y, w, p, r) => KLDivergence.Forward(x, y, r, logTarget),
        ForwardNone = (x, y, w, p, l) => KLDivergence.ForwardNone(x, y, l, logTarget),
        Backward = (x, y, w, p, g, r, u) => KLDivergence.Backward(x, y, g, r, u, logTarget),
        BackwardNone = (x, y, w, p, u, g) => KLDivergence.BackwardNone(x, y, u, g, logTarget),
        ForwardBackward = (x, y, w, p, g, r) => KLDivergence.ForwardBackward(x, y, g, r, logTarget),
        TargetBackward = (x, y, w, p, g, r, u) => KLDivergence.TargetBackward(x, y, g, r, u, logTarget),
        TargetBackwardNone = (x, y, w, p, u, g) => KLDivergence.TargetBackwardNone(x, y, u, g, logTarget),
        Sample = (random, i, adversarial) =>
        {
            float x = (float)(random.NextDouble() * -6);
            float y = logTarget ? (float)((random.NextDouble() * 6.5) - 6) : (float)random.NextDouble();
            if (adversarial)
            {
                switch (i % 5)
                {
                    case 0: y = logTarget ? -80f : 0f; break;  // exp(y) near float's smallest; 0 log 0
                    case 1: x = -80f; break;
                    case 2: y = logTarget ? 0f : 1f; break;
                }
            }

            return (x, y);
        },
        // torch's xlogy(y, y) - y x; its target gradient xlogy(y != 0, y) + y / y - x is NaN at y = 0, as torch's.
        Reference = (x, y, w, p) => logTarget
            ? (Math.Exp(y) * ((double)y - x), -Math.Exp(y))
            : ((y == 0 ? 0 : y * Math.Log(y)) - ((double)y * x), -(double)y),
        TargetReference = (x, y, w, p) => logTarget
            ? (Math.Exp(y) * ((double)y - x)) + Math.Exp(y)
            : (y != 0 ? Math.Log(y) : 0) + ((double)y / y) - x,
        Magnitude = (x, y, w, p) => logTarget
            ? Math.Exp(y) * (Math.Abs(y) + Math.Abs(x))
            : Math.Abs(y == 0 ? 0 : y * Math.Log(y)) + Math.Abs((double)y * x),
        TargetMagnitude = (x, y) => logTarget ? Math.Exp(y) * (Math.Abs(y) + Math.Abs(x) + 1) : Math.Abs(Math.Log(y)) + Math.Abs(x) + 1,
        Smooth = (x, y) => logTarget ? Math.Exp(y) * (y - x) : (y * Math.Log(y)) - (y * x),
    };

    /// <summary>PoissonNLLLoss with its options; rates of exactly 0 where the input is the rate (log(eps)).</summary>
    public static ElementwiseLossCase PoissonNllCase(bool logInput, bool full, float eps = 1e-8f) => new()
    {
        Name = string.Create(CultureInfo.InvariantCulture, $"PoissonNll(log_input={logInput}, full={full}, eps={eps})"),
        Kernels = typeof(PoissonNll),
        Forward = (x, y, w, p, r) => PoissonNll.Forward(x, y, r, logInput, full, eps),
        ForwardNone = (x, y, w, p, l) => PoissonNll.ForwardNone(x, y, l, logInput, full, eps),
        Backward = (x, y, w, p, g, r, u) => PoissonNll.Backward(x, y, g, r, u, logInput, full, eps),
        BackwardNone = (x, y, w, p, u, g) => PoissonNll.BackwardNone(x, y, u, g, logInput, full, eps),
        ForwardBackward = (x, y, w, p, g, r) => PoissonNll.ForwardBackward(x, y, g, r, logInput, full, eps),
        TargetBackward = (x, y, w, p, g, r, u) => PoissonNll.TargetBackward(x, y, g, r, u, logInput, full, eps),
        TargetBackwardNone = (x, y, w, p, u, g) => PoissonNll.TargetBackwardNone(x, y, u, g, logInput, full, eps),
        Sample = (random, i, adversarial) =>
        {
            float x = logInput ? (float)((random.NextDouble() * 6) - 3) : (float)(random.NextDouble() * 5);
            float y = i % 4 == 3 ? (float)(random.NextDouble() * 6) : MathF.Floor((float)(random.NextDouble() * 7));
            if (adversarial)
            {
                switch (i % 5)
                {
                    case 0: x = logInput ? -30f : 0f; break;   // exp(x) near 0; a zero rate
                    case 1: y = 1f; break;                      // the Stirling mask's edge
                    case 2: y = 1.0000001f; break;
                    case 3: y = 0f; break;
                }
            }

            return (x, y);
        },
        Reference = (x, y, w, p) =>
        {
            // x + eps is added in float32, as torch adds it; the rest is float64.
            double rate = x + eps;
            double loss = logInput ? Math.Exp(x) - ((double)y * x) : x - (y * Math.Log(rate));
            double gradient = logInput ? Math.Exp(x) - y : 1 - (y / rate);
            return (loss + (full ? Stirling(y) : 0), gradient);
        },
        TargetReference = (x, y, w, p) =>
            (logInput ? -x : -Math.Log((float)(x + eps))) + (!full ? 0 : y > 1 ? Math.Log(y) + (0.5 / y) : y > 0 ? 0 : double.NaN),
        Magnitude = (x, y, w, p) =>
            (logInput ? Math.Exp(x) + Math.Abs((double)y * x) : Math.Abs(x) + Math.Abs(y * Math.Log((float)(x + eps))))
            + (full ? Math.Abs(y * Math.Log(Math.Max(y, 1e-30))) + Math.Abs(y) + 2 : 0),
        TargetMagnitude = (x, y) => (logInput ? Math.Abs(x) : Math.Abs(Math.Log((float)(x + eps)))) + (full ? Math.Abs(Math.Log(Math.Max(y, 1e-30))) + 2 : 0),
        Smooth = (x, y) => (logInput ? Math.Exp(x) - (y * x) : x - (y * Math.Log(x + eps))) + (full ? Stirling(y) : 0),
    };

    /// <summary>SoftMarginLoss: ±1 targets; beyond y x of about -88, exp overflows float32 and the loss is infinite, as torch's.</summary>
    public static ElementwiseLossCase SoftMarginCase() => new()
    {
        Name = "SoftMargin",
        Kernels = typeof(SoftMargin),
        Forward = (x, y, w, p, r) => SoftMargin.Forward(x, y, r),
        ForwardNone = (x, y, w, p, l) => SoftMargin.ForwardNone(x, y, l),
        Backward = (x, y, w, p, g, r, u) => SoftMargin.Backward(x, y, g, r, u),
        BackwardNone = (x, y, w, p, u, g) => SoftMargin.BackwardNone(x, y, u, g),
        ForwardBackward = (x, y, w, p, g, r) => SoftMargin.ForwardBackward(x, y, g, r),
        Sample = (random, i, adversarial) =>
        {
            float x = (float)((random.NextDouble() * 16) - 8);
            float y = random.Next(2) == 0 ? -1f : 1f;
            if (adversarial && i % 4 == 0)
            {
                x = i % 8 == 0 ? 60f : -60f; // exp(60) is finite in float32; exp(-60) is a tiny term
            }

            return (x, y);
        },
        Reference = (x, y, w, p) =>
        {
            double z = Math.Exp(-(double)y * x);
            return (Math.Log(1 + z), -y * z / (1 + z));
        },
        Magnitude = (x, y, w, p) => 1 + Math.Abs((double)x * y),
        Smooth = (x, y) => Math.Log(1 + Math.Exp(-y * x)),
    };

    /// <summary>HingeEmbeddingLoss: targets 1, -1 and, now and then, neither; inputs exactly at the margin (clamp_min's boundary).</summary>
    public static ElementwiseLossCase HingeEmbeddingCase(float margin) => new()
    {
        Name = string.Create(CultureInfo.InvariantCulture, $"HingeEmbedding(margin={margin})"),
        Kernels = typeof(HingeEmbedding),
        Forward = (x, y, w, p, r) => HingeEmbedding.Forward(x, y, r, margin),
        ForwardNone = (x, y, w, p, l) => HingeEmbedding.ForwardNone(x, y, l, margin),
        Backward = (x, y, w, p, g, r, u) => HingeEmbedding.Backward(x, y, g, r, u, margin),
        BackwardNone = (x, y, w, p, u, g) => HingeEmbedding.BackwardNone(x, y, u, g, margin),
        ForwardBackward = (x, y, w, p, g, r) => HingeEmbedding.ForwardBackward(x, y, g, r, margin),
        Sample = (random, i, adversarial) =>
        {
            float x = (float)((random.NextDouble() * 5) - 2);
            float y = i % 7 == 3 ? 0.5f : random.Next(2) == 0 ? -1f : 1f;
            if (adversarial && i % 3 == 0)
            {
                x = margin;
            }

            return (x, y);
        },
        Reference = (x, y, w, p) =>
        {
            float hinge = margin - x; // in float32, as torch's, so both sides take the same branch
            double loss = (y != 1 ? Math.Max(hinge, 0) : 0) + (y != -1 ? x : 0);
            double gradient = (y != 1 ? (hinge >= 0 ? -1 : 0) : 0) + (y != -1 ? 1 : 0);
            return (loss, gradient);
        },
        Magnitude = (x, y, w, p) => Math.Abs(x) + Math.Abs(margin),
        Smooth = (x, y) => (y != 1 ? Math.Max(margin - x, 0) : 0) + (y != -1 ? x : 0),
    };

    /// <summary>MultiLabelSoftMarginLoss' per-class terms (the module averages them over the classes), with a weight or not.</summary>
    public static ElementwiseLossCase MultiLabelSoftMarginCase(bool weighted) => new()
    {
        Name = weighted ? "MultiLabelSoftMargin(weight)" : "MultiLabelSoftMargin",
        Kernels = typeof(MultiLabelSoftMargin),
        UsesWeight = weighted,
        Forward = (x, y, w, p, r) => MultiLabelSoftMargin.Forward(x, y, r, weighted ? w : default),
        ForwardNone = (x, y, w, p, l) => MultiLabelSoftMargin.ForwardNone(x, y, l, weighted ? w : default),
        Backward = (x, y, w, p, g, r, u) => MultiLabelSoftMargin.Backward(x, y, g, r, u, weighted ? w : default),
        BackwardNone = (x, y, w, p, u, g) => MultiLabelSoftMargin.BackwardNone(x, y, u, g, weighted ? w : default),
        ForwardBackward = (x, y, w, p, g, r) => MultiLabelSoftMargin.ForwardBackward(x, y, g, r, weighted ? w : default),
        TargetBackward = (x, y, w, p, g, r, u) => MultiLabelSoftMargin.TargetBackward(x, y, g, r, u, weighted ? w : default),
        TargetBackwardNone = (x, y, w, p, u, g) => MultiLabelSoftMargin.TargetBackwardNone(x, y, u, g, weighted ? w : default),
        Sample = (random, i, adversarial) =>
        {
            float x = (float)((random.NextDouble() * 12) - 6);
            float y = i % 3 == 2 ? (float)random.NextDouble() : i % 3;
            if (adversarial && i % 4 == 0)
            {
                x = i % 8 == 0 ? 40f : -40f; // saturated sigmoids
            }

            return (x, y);
        },
        Reference = (x, y, w, p) =>
        {
            double xd = x;
            double loss = w * ((y * Softplus(-xd)) + ((1 - y) * Softplus(xd)));
            double sigmoid = xd >= 0 ? 1 / (1 + Math.Exp(-xd)) : Math.Exp(xd) / (1 + Math.Exp(xd));
            return (loss, w * (sigmoid - y));
        },
        TargetReference = (x, y, w, p) => -w * x,
        Magnitude = (x, y, w, p) => Math.Abs(w) * (Math.Abs(x) + 1),
        TargetMagnitude = (x, y) => Math.Abs(x) + 1,
        Smooth = (x, y) => (y * Softplus(-x)) + ((1 - y) * Softplus(x)),
    };

    /// <summary>Stirling's term of PoissonNLLLoss(full=True): y log y - y + log(2 pi y) / 2 above 1, 0 elsewhere.</summary>
    private static double Stirling(double y) => y > 1 ? (y * Math.Log(y)) - y + (0.5 * Math.Log(2 * Math.PI * y)) : 0;

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
