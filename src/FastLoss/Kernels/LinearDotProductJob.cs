using FastLoss.Generation;
using FastLoss.Threading;

namespace FastLoss.Kernels;

/// <summary>
/// A few-row Linear forward (batch-1 inference, say) shared out by output units: each part takes a contiguous run
/// of W's rows, so at batch 1 the two cores each stream half the weight rather than one streaming all of it. Every
/// value is the same dot product as on one thread. One instance per submitting thread, reused for every call.
/// </summary>
internal sealed unsafe class LinearDotProductJob : IParallelWork
{
    [ThreadStatic] private static LinearDotProductJob? t_current;

    private float* _input, _weight, _output;
    private int _rows, _inFeatures, _outFeatures;
    private bool _hasBias;

    public static LinearDotProductJob Current => t_current ??= new LinearDotProductJob();

    [HotPath]
    public void Set(float* input, float* weight, float* output, int rows, int inFeatures, int outFeatures, bool hasBias)
    {
        _input = input;
        _weight = weight;
        _output = output;
        _rows = rows;
        _inFeatures = inFeatures;
        _outFeatures = outFeatures;
        _hasBias = hasBias;
    }

    [HotPath]
    public void Execute(int part, int partCount)
    {
        int first = (int)((long)_outFeatures * part / partCount), end = (int)((long)_outFeatures * (part + 1) / partCount);
        LinearKernels.DotProducts(
            new ReadOnlySpan<float>(_input, _rows * _inFeatures), new ReadOnlySpan<float>(_weight, _outFeatures * _inFeatures), _hasBias,
            _rows, _inFeatures, _outFeatures, new Span<float>(_output, _rows * _outFeatures), first, end);
    }
}
