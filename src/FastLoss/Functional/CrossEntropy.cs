using FastLoss.Functional.Classification;
using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// torch's cross_entropy over spans: log_softmax over the class dimension and the negative log-likelihood in one
/// pass over the logits, for class-index targets (longs, one per entry) and class-probability targets (floats laid
/// out like the logits). The <see cref="ClassLayout"/> says where the class dimension is; (N, C, d1, ..., dk)
/// logits are read in place.
/// <para>
/// Per entry with logits x, p = softmax(x) and W = sum w: an index target y costs
/// <c>(1 - eps) * w[y] * -log p[y] + eps / C * sum_c w[c] * -log p[c]</c>, with gradient
/// <c>((1 - eps) w[y] + eps / C * W) * p - eps / C * w - (1 - eps) w[y] * onehot(y)</c>; entries whose target is the
/// ignore index cost 0 and have gradient 0. Probability targets t, with q = w * ((1 - eps) t + eps / C), cost
/// <c>-sum_c q[c] * log p[c]</c>, with gradient <c>sum q * p - q</c>. Mean divides by the sum of w[y] over the kept
/// index targets (their count without weights; NaN when every target is ignored), or by the number of entries for
/// probability targets.
/// </para>
/// <para>
/// As the elementwise losses: Forward and ForwardBackward return the reduced loss (Mean or Sum); the *None methods
/// work per entry (<see cref="ClassLayout.Entries"/> values). Gradients are written (=), not accumulated, and must
/// not overlap the inputs. Every argument and every target is checked before anything is written; nothing is allocated.
/// </para>
/// <para>
/// The entry points are generated from the declaration below (<see cref="ClassLossAttribute"/>): the row kernels of
/// <see cref="CrossEntropyContiguous{TL, TV}"/> and <see cref="CrossEntropyStrided{TL, TV}"/> do the work.
/// </para>
/// </summary>
[ClassLoss("logits", typeof(CrossEntropyStrided<,>), ContiguousKernels = typeof(CrossEntropyContiguous<,>))]
public static partial class CrossEntropy;
