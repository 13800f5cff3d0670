using FastLoss.Generation;

namespace FastLoss.Data;

/// <summary>
/// Walks one epoch of a <see cref="DataLoader"/>; a struct, so <c>foreach</c> allocates nothing. The loader
/// has one set of batch buffers, so one enumeration runs at a time: starting another epoch (another
/// foreach, or <see cref="DataLoader.TryNext"/> after the end) ends this one.
/// </summary>
public struct DataLoaderEnumerator
{
    private readonly DataLoader _loader;
    private readonly int _epochRun;
    private DataLoaderBatch _current;

    internal DataLoaderEnumerator(DataLoader loader, int epochRun)
    {
        _loader = loader;
        _epochRun = epochRun;
        _current = default;
    }

    public readonly DataLoaderBatch Current => _current;

    [HotPath]
    public bool MoveNext()
    {
        if (_loader.EpochRun != _epochRun)
        {
            throw new InvalidOperationException(
                "The DataLoader started another epoch while this enumeration was running; its batch buffers are shared, so one epoch runs at a time.");
        }

        if (!_loader.EpochInProgress)
        {
            return false;
        }

        bool more = _loader.TryNext(out Tensor? images, out IndexTensor? labels);
        _current = more ? new DataLoaderBatch(images!, labels!) : default;
        return more;
    }
}
