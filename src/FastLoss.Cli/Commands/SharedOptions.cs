using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using FastLoss.Data;
using FastLoss.Threading;

namespace FastLoss.Cli.Commands;

/// <summary>Options several commands share, and the range checks of numeric options.</summary>
internal static class SharedOptions
{
    public static Option<string> Data() => new("--data")
    {
        Description = "The folder that holds cifar-10-batches-bin/ (or cifar-10-binary.tar.gz).",
        HelpName = "DIR",
        DefaultValueFactory = _ => "data",
    };

    public static Option<bool> NoDownload() => new("--no-download")
    {
        Description = "Fail instead of downloading CIFAR-10 when it is not under --data.",
    };

    public static Option<int?> Threads() => AtLeast(new Option<int?>("--threads")
    {
        Description = "Threads for the compute kernels (default: all cores).",
        HelpName = "N",
    }, 1, ComputePool.MaxThreadCount);

    public static Option<string> Checkpoint() => new("--checkpoint")
    {
        Description = "A checkpoint.safetensors written by 'fastloss train' (or a state_dict saved from PyTorch).",
        HelpName = "FILE",
        Required = true,
    };

    public static Option<string?> KeyPrefix() => new("--key-prefix")
    {
        Description = "Remove this prefix from the checkpoint's tensor names first (a state_dict saved from a module that held the network as self.model1 names them 'model1.0.weight': pass model1.).",
        HelpName = "PREFIX",
    };

    /// <summary>
    /// Makes the option parse its value itself: a whole number in [minimum, maximum]. Anything else (not a number,
    /// out of range, too large for 32 bits) is one error naming the option, the value and what is accepted; the
    /// parser's own conversion would throw instead.
    /// </summary>
    public static Option<T> AtLeast<T>(Option<T> option, int minimum, int maximum = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(option);
        string accepted = minimum == int.MinValue ? "a whole number that fits in 32 bits"
            : maximum == int.MaxValue ? $"a whole number, {minimum} or more"
            : $"a whole number from {minimum} to {maximum}";
        option.CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < minimum || value > maximum)
            {
                result.AddError($"{option.Name} must be {accepted}, got '{text}'.");
                return default!;
            }

            return (T)(object)value;
        };
        return option;
    }

    /// <summary>A whole-number option that takes any 32-bit value (a seed), parsed with the same one-line errors.</summary>
    public static Option<int> AnyInteger(Option<int> option) => AtLeast(option, int.MinValue);

    /// <summary>Makes the option parse its value itself: a finite number, 0 or more (NaN and infinities are refused).</summary>
    public static Option<float> NonNegative(Option<float> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value) || value < 0)
            {
                result.AddError($"{option.Name} must be a finite number, 0 or more, got '{text}'.");
                return default;
            }

            return value;
        };
        return option;
    }

    /// <summary>Sets the compute pool's thread count when --threads was given.</summary>
    public static void ApplyThreads(int? threads)
    {
        if (threads is { } count)
        {
            ComputePool.SetThreadCount(count);
        }
    }

    /// <summary>
    /// The CIFAR-10 test set under <paramref name="root"/>, downloaded first unless <paramref name="noDownload"/>; a
    /// download is announced on <paramref name="output"/> with where the data was looked for.
    /// </summary>
    public static Cifar10 TestSet(string root, bool noDownload, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!noDownload && !Cifar10.IsPresent(root, train: false))
        {
            output.WriteLine($"CIFAR-10 not found ({Cifar10.Searched(root, train: false)}): downloading it into '{Path.GetFullPath(root)}'.");
        }

        return new(root, train: false, download: !noDownload);
    }

    /// <summary>Whether <paramref name="option"/> appears on the command line (not just its default).</summary>
    public static bool IsGiven(this ParseResult parse, Option option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        OptionResult? result = parse.GetResult(option);
        return result is { Implicit: false };
    }
}
