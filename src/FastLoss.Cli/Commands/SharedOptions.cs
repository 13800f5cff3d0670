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

    /// <summary>Adds a check that the option's value, when given, lies in [minimum, maximum].</summary>
    public static Option<T> AtLeast<T>(Option<T> option, int minimum, int maximum = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0)
            {
                return;
            }

            string text = result.Tokens[0].Value;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && (value < minimum || value > maximum))
            {
                result.AddError(maximum == int.MaxValue
                    ? $"{option.Name} must be {minimum} or more, got {value}."
                    : $"{option.Name} must be between {minimum} and {maximum}, got {value}.");
            }
        });
        return option;
    }

    /// <summary>Adds a check that a number option is finite and not negative.</summary>
    public static Option<float> NonNegative(Option<float> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.GetValueOrDefault<float>() is var value && !(value >= 0 && float.IsFinite(value)))
            {
                result.AddError($"{option.Name} must be a finite number, 0 or more, got {result.Tokens[0].Value}.");
            }
        });
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

    /// <summary>The CIFAR-10 test set under <paramref name="root"/>, downloaded first unless <paramref name="noDownload"/>.</summary>
    public static Cifar10 TestSet(string root, bool noDownload) => new(root, train: false, download: !noDownload);

    /// <summary>Whether <paramref name="option"/> appears on the command line (not just its default).</summary>
    public static bool IsGiven(this ParseResult parse, Option option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        OptionResult? result = parse.GetResult(option);
        return result is { Implicit: false };
    }
}
