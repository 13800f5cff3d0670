namespace FastLoss.NN;

/// <summary>The score shapes torch's multi_margin_loss and multilabel_margin_loss accept: (C) or (N, C), C above 0.</summary>
internal static class MarginScores
{
    /// <summary>Throws torch's message unless <paramref name="input"/> is a non-empty vector or a matrix of non-empty rows.</summary>
    public static void Require(Tensor input)
    {
        if (input.Rank is not (1 or 2) || (input.Rank == 1 && input.Length == 0) || (input.Rank == 2 && input.Shape[1] == 0))
        {
            throw new ArgumentException($"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {TensorShape.FormatList(input.Shape)}", nameof(input));
        }
    }
}
