using System.Globalization;

namespace FastLoss.Cli.Checkpoints;

/// <summary>
/// The places where a checkpoint write can be cut short (each write, flush and rename), numbered in the order a
/// run reaches them. Tests kill the process at one of them: with FASTLOSS_KILL_AT=N in the environment, the N-th
/// point reached prints its name to the error output and the process kills itself (SIGKILL), as a crash or
/// kill -9 would stop it there. Without the variable a point costs one comparison.
/// </summary>
internal static class FaultPoints
{
    /// <summary>The environment variable that names the point to die at.</summary>
    public const string KillAtVariable = "FASTLOSS_KILL_AT";

    private static readonly long s_killAt = ReadKillAt();
    private static long s_reached;

    /// <summary>Passes point <paramref name="what"/>, or dies there.</summary>
    public static void Reach(string what)
    {
        if (s_killAt <= 0 || Interlocked.Increment(ref s_reached) != s_killAt)
        {
            return;
        }

        Console.Error.WriteLine($"killed at fault point {s_killAt}: {what}");
        Console.Error.Flush();
        System.Diagnostics.Process.GetCurrentProcess().Kill();
    }

    private static long ReadKillAt() =>
        long.TryParse(Environment.GetEnvironmentVariable(KillAtVariable), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;
}
