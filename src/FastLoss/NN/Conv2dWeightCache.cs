using FastLoss.Generation;
using FastLoss.Kernels;

namespace FastLoss.NN;

/// <summary>
/// The forms of a convolution's weight that the products read: packed as the A operand (forward), its transpose
/// packed (im2col input gradient), the flipped transpose packed (the transposed convolution of the input gradient),
/// and the Winograd transforms of the weight and of its flipped transpose. One per layer, shared by every call and
/// thread. Each form is rebuilt when the weight's <see cref="Tensor.Version"/> (or the GEMM tile) is not the one
/// it was built from: inference on fixed weights keeps the copies untouched, so they stay valid in every core's cache.
/// Rebuilding takes a lock; reading takes none (weights do not change while threads run inference on them).
/// </summary>
internal sealed class Conv2dWeightCache
{
    private readonly Lock _gate = new();
    private readonly Tensor _weight;
    private readonly Form _packed, _packedTransposed, _packedFlipped, _winograd, _winogradFlipped;
    private readonly int _outChannels, _patch;
    private float[] _flipped = [];

    public Conv2dWeightCache(Tensor weight, int outChannels)
    {
        _weight = weight;
        _outChannels = outChannels;
        _patch = weight.Length / outChannels;
        int inChannels = weight.Shape[1];
        int flippedColumns = weight.Length / inChannels;
        _packed = new Form(GemmPacking.WholeASize(outChannels, _patch));
        _packedTransposed = new Form(GemmPacking.WholeASize(_patch, outChannels));
        _packedFlipped = new Form(GemmPacking.WholeASize(inChannels, flippedColumns));
        _winograd = new Form(0);
        _winogradFlipped = new Form(0);
    }

    /// <summary>The weight (OutC x PatchSize) packed as the forward products' A operand.</summary>
    [HotPath]
    public float[] Packed()
    {
        long key = Key();
        if (!_packed.IsCurrent(key))
        {
            lock (_gate)
            {
                if (!_packed.IsCurrent(key))
                {
                    Pack(transposed: false, _packed.Values);
                    _packed.Publish(key);
                }
            }
        }

        return _packed.Values;
    }

    /// <summary>The weight's transpose (PatchSize x OutC) packed, for the im2col input gradient.</summary>
    [HotPath]
    public float[] PackedTransposed()
    {
        long key = Key();
        if (!_packedTransposed.IsCurrent(key))
        {
            lock (_gate)
            {
                if (!_packedTransposed.IsCurrent(key))
                {
                    Pack(transposed: true, _packedTransposed.Values);
                    _packedTransposed.Publish(key);
                }
            }
        }

        return _packedTransposed.Values;
    }

    /// <summary>The flipped, transposed weight (C x OutC KH KW) packed, the A operand of the input gradient's convolution.</summary>
    [HotPath]
    public float[] PackedFlipped(in Conv2dGeometry g)
    {
        long key = Key();
        if (!_packedFlipped.IsCurrent(key))
        {
            lock (_gate)
            {
                if (!_packedFlipped.IsCurrent(key))
                {
                    PackFlipped(g);
                    _packedFlipped.Publish(key);
                }
            }
        }

        return _packedFlipped.Values;
    }

    /// <summary>U = G g Gᵀ for the forward pass by <paramref name="winograd"/>.</summary>
    [HotPath]
    public float[] Winograd(WinogradConvolution winograd) => Transformed(_winograd, winograd, flippedTranspose: false);

    /// <summary>U of the flipped, transposed weight, for the input gradient by <paramref name="winograd"/>.</summary>
    [HotPath]
    public float[] WinogradFlipped(WinogradConvolution winograd) => Transformed(_winogradFlipped, winograd, flippedTranspose: true);

    // The packed forms depend on whether the 8 x 32 tile reads them; the Winograd forms on the tile of the
    // convolution that reads them (WinogradConvolution.Kernel), which keys them below.
    private long Key() => ((long)_weight.Version << 1) | (GemmTiling.Current.IsWide ? 1L : 0L);

    private float[] Transformed(Form form, WinogradConvolution winograd, bool flippedTranspose)
    {
        long key = ((long)_weight.Version << 2) | (long)winograd.Kernel;
        if (!form.IsCurrent(key))
        {
            lock (_gate)
            {
                if (!form.IsCurrent(key))
                {
                    form.EnsureSize(winograd.TransformedWeightSize);
                    winograd.TransformWeight(_weight.Data, flippedTranspose, form.Values);
                    form.Publish(key);
                }
            }
        }

        return form.Values;
    }

    private unsafe void Pack(bool transposed, float[] destination)
    {
        fixed (float* weight = _weight.Data, packed = destination)
        {
            var operand = transposed
                ? new GemmOperands(true, false, _patch, 0, _outChannels, 1f, weight, _patch, null, 1, false, null, 1)
                : new GemmOperands(false, false, _outChannels, 0, _patch, 1f, weight, _patch, null, 1, false, null, 1);
            GemmPacking.PackWholeA(operand, packed);
        }
    }

    private unsafe void PackFlipped(in Conv2dGeometry g)
    {
        if (_flipped.Length != g.WeightSize)
        {
            _flipped = new float[g.WeightSize];
        }

        Conv2dTapRowKernels.FlipTranspose(g, _weight.Data, _flipped);
        int rows = g.InChannels, columns = g.WeightSize / rows;
        fixed (float* flipped = _flipped, packed = _packedFlipped.Values)
        {
            GemmPacking.PackWholeA(new GemmOperands(false, false, rows, 0, columns, 1f, flipped, columns, null, 1, false, null, 1), packed);
        }
    }

    /// <summary>One derived form and the key (weight version and tiling) it was built from.</summary>
    private sealed class Form(int size)
    {
        private long _key = -1;

        public float[] Values { get; private set; } = size == 0 ? [] : GC.AllocateArray<float>(size, pinned: true);

        public bool IsCurrent(long key) => Volatile.Read(ref _key) == key;

        public void Publish(long key) => Volatile.Write(ref _key, key);

        public void EnsureSize(int size)
        {
            if (Values.Length < size)
            {
                Values = GC.AllocateArray<float>(size, pinned: true);
            }
        }
    }
}
