using System.Globalization;
using FastLoss.Autograd;

namespace FastLoss;

/// <summary>Back-propagation from a tensor (torch's <c>tensor.backward()</c>).</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Back-propagates from this one-element tensor (a loss): its gradient is 1. Runs exactly the recorded
    /// operations this tensor depends on, accumulates into the leaves' <see cref="Grad"/>, and frees the graph
    /// (a second backward through it raises, as torch's default retain_graph=False).
    /// </summary>
    public void Backward(bool retainGraph = false)
    {
        if (Length != 1)
        {
            throw new InvalidOperationException("grad can be implicitly created only for scalar outputs");
        }

        ReadOnlySpan<float> one = [1f];
        Backpropagate(one, retainGraph);
    }

    /// <summary>
    /// Back-propagates <paramref name="gradient"/> (the gradient of some scalar with respect to this tensor, same
    /// shape) into the graph: torch's <c>tensor.backward(gradient)</c>, for non-scalar outputs.
    /// </summary>
    public void Backward(Tensor gradient, bool retainGraph = false)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (!SameShape(gradient))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Mismatch in shape: grad_output[0] has a shape of {gradient.ShapeText} and output[0] has a shape of {ShapeText}."),
                nameof(gradient));
        }

        Backpropagate(gradient.Values, retainGraph);
    }

    private void Backpropagate(ReadOnlySpan<float> seed, bool retainGraph)
    {
        if (GradFn is null)
        {
            if (!_requiresGrad)
            {
                throw new InvalidOperationException("element 0 of tensors does not require grad and does not have a grad_fn");
            }

            // A leaf: its gradient is the seed itself, added to what it has.
            Span<float> grad = LeafGradient(out bool accumulate);
            if (accumulate)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(grad, seed, grad);
            }
            else
            {
                seed.CopyTo(grad);
            }

            return;
        }

        GraphArena arena = GraphArena.Current;
        arena.Pass.Run(arena, this, seed, retainGraph);
    }
}
