using BenchmarkDotNet.Attributes;
using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Threading;

namespace FastLoss.Benchmarks;

/// <summary>
/// Two threads serving batch-1 inference with the seed CNN, <see cref="CallsPerThread"/> calls each, as an ASP.NET
/// service does: on one shared model, against two separate models (the baseline, with nothing shared). The compute
/// pool runs on one thread, so each request stays on its thread. The shared model should lose nothing: its weights
/// and their packed forms are read by both threads, everything of a call is the thread's own.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("ConcurrentInference")]
public class ConcurrentInferenceBenchmarks
{
    private const int CallsPerThread = 16;

    private Sequential _shared = null!, _second = null!;
    private Tensor _first = null!, _other = null!;
    private TwoThreads _threads = null!;
    private Action _serveShared = null!, _serveSharedOther = null!, _serveSecond = null!;

    [GlobalSetup]
    public void Setup()
    {
        ComputePool.SetThreadCount(1);
        _shared = Cifar10Cnn.Create(new Generator(1));
        _second = Cifar10Cnn.Create(new Generator(1));
        _first = Init.Uniform(Tensor.Zeros(1, 3, 32, 32), 0, 1, new Generator(2));
        _other = Init.Uniform(Tensor.Zeros(1, 3, 32, 32), 0, 1, new Generator(3));
        _threads = new TwoThreads();

        // The actions are made once, so the measured calls allocate nothing of the harness's own.
        _serveShared = () => Serve(_shared, _first);
        _serveSharedOther = () => Serve(_shared, _other);
        _serveSecond = () => Serve(_second, _other);
    }

    [GlobalCleanup]
    public void Cleanup() => _threads.Dispose();

    [Benchmark(Baseline = true, Description = "2 threads, separate models")]
    public void SeparateModels() => _threads.Run(_serveShared, _serveSecond);

    [Benchmark(Description = "2 threads, one shared model")]
    public void SharedModel() => _threads.Run(_serveShared, _serveSharedOther);

    private static void Serve(Sequential model, Tensor image)
    {
        using (GradMode.NoGrad())
        {
            for (int i = 0; i < CallsPerThread; i++)
            {
                _ = model.Forward(image);
            }
        }
    }

    /// <summary>Two threads started once that each run one action per <see cref="Run"/>, so a measurement starts none.</summary>
    private sealed class TwoThreads : IDisposable
    {
        private readonly Barrier _start = new(3), _end = new(3);
        private readonly Thread[] _threads = new Thread[2];
        private Action? _first, _second;
        private volatile bool _stopping;

        public TwoThreads()
        {
            for (int t = 0; t < 2; t++)
            {
                int index = t;
                _threads[t] = new Thread(() => Loop(index)) { IsBackground = true };
                _threads[t].Start();
            }
        }

        public void Run(Action first, Action second)
        {
            _first = first;
            _second = second;
            _start.SignalAndWait();
            _end.SignalAndWait();
        }

        public void Dispose()
        {
            _stopping = true;
            _start.SignalAndWait();
            foreach (Thread thread in _threads)
            {
                thread.Join();
            }

            _start.Dispose();
            _end.Dispose();
        }

        private void Loop(int index)
        {
            while (true)
            {
                _start.SignalAndWait();
                if (_stopping)
                {
                    return;
                }

                (index == 0 ? _first : _second)!();
                _end.SignalAndWait();
            }
        }
    }
}
