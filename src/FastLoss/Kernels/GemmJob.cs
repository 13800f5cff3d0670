using FastLoss.Generation;
using FastLoss.Threading;

namespace FastLoss.Kernels;

/// <summary>
/// A product split into contiguous runs of register tiles along N (or M when N is too narrow), one run per
/// part; each part packs its own panels. One instance per submitting thread, reused for every product.
/// </summary>
internal sealed class GemmJob : IParallelWork
{
    [ThreadStatic] private static GemmJob? t_current;

    private GemmOperands _operands;
    private bool _splitColumns;
    private int _tiles;
    private int _tileSize;

    public static GemmJob Current => t_current ??= new GemmJob();

    [HotPath]
    public void Set(in GemmOperands operands, bool splitColumns, int tiles, int tileSize)
    {
        _operands = operands;
        _splitColumns = splitColumns;
        _tiles = tiles;
        _tileSize = tileSize;
    }

    [HotPath]
    public void Execute(int part, int partCount)
    {
        int start = (int)((long)_tiles * part / partCount) * _tileSize;
        int end = (int)((long)_tiles * (part + 1) / partCount) * _tileSize;
        if (_splitColumns)
        {
            GemmDriver.Compute(_operands, 0, _operands.M, start, Math.Min(end, _operands.N));
        }
        else
        {
            GemmDriver.Compute(_operands, start, Math.Min(end, _operands.M), 0, _operands.N);
        }
    }
}
