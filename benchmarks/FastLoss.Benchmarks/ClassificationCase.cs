namespace FastLoss.Benchmarks;

/// <summary>
/// One size of a classification benchmark: <see cref="Batch"/> rows of <see cref="Classes"/> logits with class-index
/// or class-probability targets, and the bytes its fused forward+backward kernel moves per call (the comparison
/// table's bandwidth column). BenchmarkDotNet shows it by <see cref="ToString"/>.
/// </summary>
public sealed class ClassificationCase(int batch, int classes, bool probabilityTargets, long fusedBytes)
{
    public int Batch { get; } = batch;

    public int Classes { get; } = classes;

    public bool ProbabilityTargets { get; } = probabilityTargets;

    public long FusedBytes { get; } = fusedBytes;

    public long Elements => (long)Batch * Classes;

    public override string ToString() => $"({Batch}, {Classes}) {(ProbabilityTargets ? "probabilities" : "indices")}";
}
