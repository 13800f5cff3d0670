namespace FastLoss.Generation;

/// <summary>
/// Marks a method that runs every training step. The FastLoss analyzer reports any managed allocation in it
/// (FL4001): object and array creation, lambdas, LINQ, boxing, string building. Exceptions thrown on bad input
/// are allowed; buffers are planned in separate methods that run only when shapes change.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class HotPathAttribute : Attribute
{
}
