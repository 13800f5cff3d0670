namespace FastLoss.Tensors.Operations;

/// <summary>The elementwise operations between two tensors.</summary>
internal enum BinaryOperation
{
    Add,
    Subtract,
    Multiply,
    Divide,
}
