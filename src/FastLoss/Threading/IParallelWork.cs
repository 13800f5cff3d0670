namespace FastLoss.Threading;

/// <summary>
/// A piece of work split into numbered parts that <see cref="ComputePool"/> runs on its threads. The object is
/// owned and reused by the operation that submits it, so submitting work allocates nothing.
/// A part must depend only on its number, never on the thread that runs it, so results do not depend on timing.
/// </summary>
internal interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="partCount"/>.</summary>
    void Execute(int part, int partCount);
}
