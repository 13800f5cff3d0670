using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using FastLoss;
using FastLoss.Autograd;
using FastLoss.Data;
using FastLoss.NN;

// Classifies CIFAR-10 test images with a trained seed CNN:
//   Cifar10Classifier --checkpoint FILE --data DIR [--images N] [--batch B] [--launched-at UNIX_NS]
// Prints the first prediction as soon as it is made (with the time since launch when --launched-at is given),
// then the accuracy and throughput over N images in batches of B, and a checksum of every logit's bits so that
// two builds can be compared for bit-identical output.
return Classifier.Run(args);

internal static class Classifier
{
    public static int Run(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        Sequential model = Cifar10Cnn.Create(new Generator(0));
        try
        {
            model.LoadStateDict(options.Checkpoint, strict: true);
            model.Eval();
            var testSet = new Cifar10(options.Data, train: false);
            return Classify(model, testSet, options);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    private static int Classify(Sequential model, Cifar10 testSet, Options options)
    {
        int images = Math.Min(options.Images, testSet.Count);
        using var noGrad = GradMode.NoGrad();
        var one = new DataLoader(DatasetSubset.First(testSet, 1), 1, transform: new ToTensor());
        one.TryNext(out Tensor? first, out IndexTensor? firstLabel);
        int predicted = ArgMax(model.Forward(first!).Span);
        string sinceLaunch = options.LaunchedAtUnixNanoseconds is long launched
            ? string.Create(CultureInfo.InvariantCulture, $" after {(UnixNanoseconds() - launched) / 1e6:F1} ms")
            : "";
        Console.WriteLine($"first prediction: image 0 is {testSet.Classes[predicted]} (label {testSet.Classes[(int)firstLabel!.Span[0]]}){sinceLaunch}");

        var loader = new DataLoader(DatasetSubset.First(testSet, images), options.Batch, transform: new ToTensor());
        int correct = 0;
        ulong checksum = 14695981039346656037UL;
        var clock = Stopwatch.StartNew();
        while (loader.TryNext(out Tensor? batch, out IndexTensor? labels))
        {
            ReadOnlySpan<float> logits = model.Forward(batch).Span;
            int classes = logits.Length / labels.Length;
            for (int i = 0; i < labels.Length; i++)
            {
                ReadOnlySpan<float> row = logits.Slice(i * classes, classes);
                correct += ArgMax(row) == labels.Span[i] ? 1 : 0;
                foreach (float value in row)
                {
                    // FNV-1a over the logits' bits: equal checksums mean bit-identical outputs.
                    checksum = (checksum ^ BitConverter.SingleToUInt32Bits(value)) * 1099511628211UL;
                }
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"images: {images}, batch {options.Batch}, accuracy {100.0 * correct / images:F2}%, {images / seconds:F0} images/s, logits checksum {checksum:x16}"));
        Console.WriteLine(
            $"vectors: 512-bit {Vector512.IsHardwareAccelerated}, 256-bit {Vector256.IsHardwareAccelerated}, 128-bit {Vector128.IsHardwareAccelerated}; " +
            $"AVX2 {System.Runtime.Intrinsics.X86.Avx2.IsSupported}, FMA {System.Runtime.Intrinsics.X86.Fma.IsSupported}");
        return 0;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best])
            {
                best = c;
            }
        }

        return best;
    }

    private static long UnixNanoseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
}

/// <summary>The command line.</summary>
internal sealed record Options(string Checkpoint, string Data, int Images, int Batch, long? LaunchedAtUnixNanoseconds)
{
    public static Options Parse(string[] args)
    {
        string? checkpoint = null, data = null;
        int images = 10_000, batch = 64;
        long? launched = null;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new FormatException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--checkpoint": checkpoint = value; break;
                case "--data": data = value; break;
                case "--images": images = Positive(args[i], value); break;
                case "--batch": batch = Positive(args[i], value); break;
                case "--launched-at": launched = long.TryParse(value, CultureInfo.InvariantCulture, out long ns) ? ns : throw new FormatException($"--launched-at: '{value}' is not a whole number of nanoseconds"); break;
                default: throw new FormatException($"unknown option {args[i]}; usage: --checkpoint FILE --data DIR [--images N] [--batch B] [--launched-at UNIX_NS]");
            }

            i++;
        }

        return new Options(
            checkpoint ?? throw new FormatException("--checkpoint FILE is required"),
            data ?? throw new FormatException("--data DIR is required (the folder that holds cifar-10-batches-bin/, or that folder)"),
            images, batch, launched);
    }

    private static int Positive(string option, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new FormatException($"{option}: '{value}' is not a positive whole number");
}
