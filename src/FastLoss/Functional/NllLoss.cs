using FastLoss.Functional.Classification;
using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// torch's nll_loss over spans: <c>l_n = -w[y_n] * input[n, y_n]</c> on log-probabilities laid out as
/// <see cref="ClassLayout"/> (the class dimension may be strided), with ignore_index and the weighted mean
/// (sum of w[y] over the kept targets; NaN when every target is ignored). As the elementwise losses: Forward and
/// ForwardBackward return the reduced loss (Mean or Sum) and the *None methods work per entry. The gradient is
/// -w[y] x scale at each entry's target class and 0 elsewhere; it does not depend on the input's values. Gradients
/// are written (=). Every argument and target is checked before anything is written; nothing is allocated.
/// <para>
/// The entry points are generated from the declaration below (<see cref="ClassLossAttribute"/>): the scalar
/// gather and scatter of <see cref="NllRows"/> do the work.
/// </para>
/// </summary>
[ClassLoss("input", typeof(NllRows))]
public static partial class NllLoss;
