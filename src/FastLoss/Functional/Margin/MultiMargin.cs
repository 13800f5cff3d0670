using FastLoss.Generation;

namespace FastLoss.Functional.Margin;

/// <summary>
/// MultiMarginLoss over N rows of C classes (a <see cref="ClassLayout"/> of inner size 1, as torch takes (N, C) or
/// (C) scores): per row, the sum over classes i other than the target y of w[y] max(0, margin - x[y] + x[i])^p,
/// divided by C, with p 1 or 2, as torch's CPU kernel computes it (a term counts where it is strictly positive, so
/// the boundary has gradient 0). The class weights scale the loss; the mean is over the rows.
/// <para>
/// The entry points are generated from the declaration below (<see cref="ClassLossAttribute"/>): the row kernel of
/// <see cref="MultiMarginRows"/> gathers each row's target score, which the formula language cannot express.
/// </para>
/// </summary>
[ClassLoss("input", typeof(MultiMarginRows))]
public static partial class MultiMargin;
