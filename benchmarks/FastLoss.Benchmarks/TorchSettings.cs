using System.Globalization;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// libtorch's intra-op thread count for the benchmarks: 1 by default, because FastLoss runs on one core;
/// FASTLOSS_TORCH_THREADS=N lets libtorch use N threads instead.
/// </summary>
public static class TorchSettings
{
    public static int Threads
    {
        get
        {
            string? text = Environment.GetEnvironmentVariable("FASTLOSS_TORCH_THREADS");
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int threads) && threads > 0 ? threads : 1;
        }
    }

    public static void Apply() => torch.set_num_threads(Threads);
}
