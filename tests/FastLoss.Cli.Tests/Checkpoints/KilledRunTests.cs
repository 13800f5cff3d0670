using System.Diagnostics;
using FastLoss.Cli.Checkpoints;
using FastLoss.Cli.Tests.Support;
using FastLoss.Serialization;

namespace FastLoss.Cli.Tests.Checkpoints;

/// <summary>
/// A training process killed (SIGKILL) at every write, flush and rename of its checkpoints, one point per run, through
/// the writer's fault points: afterwards the run folder holds the previous complete checkpoint or the new one (never a
/// mismatched pair), <c>--resume</c> from it (or, before the first checkpoint exists, a fresh run into the same
/// folder) succeeds, leaves no half-written file behind, and ends with the network, momentum buffers and loss history
/// of an uninterrupted run, bit for bit. Every run is a child process, as a user's would be.
/// </summary>
[Collection(TrainingRuns.Name)]
public sealed class KilledRunTests : IDisposable
{
    private static readonly string[] Options =
        ["--data", TestPaths.Cifar10Root, "--no-download", "--limit-train", "96", "--batch-size", "32", "--limit-test", "20", "--momentum", "0.9",
         "--seed", "5", "--log-interval", "1", "--epochs", "2", "--threads", "1", "--plain"];

    private readonly string _folder = TestPaths.NewScratchFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_run_killed_at_any_checkpoint_write_resumes_to_the_uninterrupted_result()
    {
        string reference = Path.Combine(_folder, "reference");
        Run(reference, killAt: 0, expectKill: false);

        // Kill at point 1, 2, ... until a run gets through: then every point of both checkpoints has been hit.
        int points = 0;
        var failures = new List<string>();
        for (int killAt = 1; killAt < 200; killAt++)
        {
            string output = Path.Combine(_folder, $"killed-{killAt}");
            ChildResult killed = Run(output, killAt, expectKill: null);
            if (killed.ExitCode == 0)
            {
                points = killAt - 1;
                break;
            }

            string? problem = CheckKilledRun(killed, output, reference);
            if (problem is not null)
            {
                failures.Add($"killed at point {killAt}: {problem}");
            }

            Directory.Delete(output, recursive: true);
        }

        Assert.True(points >= 20, $"only {points} fault points were reached in two checkpoints");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void A_second_run_into_the_same_folder_is_refused_while_the_first_holds_it()
    {
        string output = Path.Combine(_folder, "busy");
        Directory.CreateDirectory(output);
        using (var holder = new FileStream(Path.Combine(output, RunLock.FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            File.WriteAllText(Path.Combine(output, RunLock.OwnerFileName), "4242");
            CliResult refused = CliRun.Run([.. (string[])["train", "--out", output], .. Options]);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains($"another training run is writing to '{output}' (process 4242): wait for it to finish, or train into another --out.", refused.Error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(output, "checkpoints")), "the refused run wrote a checkpoint");
        }

        // The holder is gone (as a killed process's lock is): the next run takes the folder over.
        CliResult next = CliRun.Run([.. (string[])["train", "--out", output], .. Options]);
        Assert.True(next.ExitCode == 0, next.Error);
        Assert.False(File.Exists(Path.Combine(output, RunLock.FileName)), "the lock file outlived the run");
        Assert.False(File.Exists(Path.Combine(output, RunLock.OwnerFileName)), "the owner file outlived the run");
    }

    [Fact]
    public void A_pair_from_two_runs_is_refused_naming_both_files_and_what_differs()
    {
        string first = Path.Combine(_folder, "first"), second = Path.Combine(_folder, "second");
        string[] common = ["--data", TestPaths.Cifar10Root, "--no-download", "--limit-train", "96", "--batch-size", "32", "--limit-test", "20", "--momentum", "0.9", "--plain"];
        Assert.Equal(0, CliRun.Run([.. (string[])["train", "--out", first, "--epochs", "1", "--seed", "5"], .. common]).ExitCode);
        Assert.Equal(0, CliRun.Run([.. (string[])["train", "--out", second, "--epochs", "1", "--seed", "6"], .. common]).ExitCode);

        // The second run's optimizer file put beside the first run's network, as a copy by hand might.
        CheckpointFiles mine = CheckpointStore.Locate(Path.Combine(first, CheckpointStore.ModelFileName));
        CheckpointFiles other = CheckpointStore.Locate(Path.Combine(second, CheckpointStore.ModelFileName));
        File.Copy(other.Optimizer, mine.Optimizer, overwrite: true);
        string runId = SafeTensors.Load(mine.Model).Metadata["run_id"], otherRunId = SafeTensors.Load(other.Optimizer).Metadata["run_id"];

        CliResult refused = CliRun.Run([.. (string[])["train", "--resume", Path.Combine(first, CheckpointStore.ModelFileName), "--epochs", "2"], .. common]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains(
            $"'{mine.Model}' and '{mine.Optimizer}' were not saved together: the network file has run id {runId} against {otherRunId}, seed 5 against 6 in the optimizer file.",
            refused.Error, StringComparison.Ordinal);
    }

    /// <summary>Null when the killed run's folder and its resumption are as they must be; otherwise what is wrong.</summary>
    private static string? CheckKilledRun(ChildResult killed, string output, string reference)
    {
        if (!killed.Error.Contains("killed at fault point", StringComparison.Ordinal))
        {
            return $"the run was not killed by its fault point (exit {killed.ExitCode}): {killed.Error}";
        }

        string copy = Path.Combine(output, CheckpointStore.ModelFileName);
        bool hasCheckpoint = Directory.Exists(Path.Combine(output, CheckpointStore.CheckpointsFolderName))
            && Directory.EnumerateDirectories(Path.Combine(output, CheckpointStore.CheckpointsFolderName), "step-*").Any();
        ChildResult finished;
        if (hasCheckpoint)
        {
            // The pair that --resume picks must be one step's.
            CheckpointFiles files = CheckpointStore.Locate(copy);
            SafeTensorsContent model = SafeTensors.Load(files.Model), optimizer = SafeTensors.Load(files.Optimizer);
            foreach (string key in (string[])["run_id", "seed", "step"])
            {
                if (model.Metadata[key] != optimizer.Metadata[key])
                {
                    return $"the newest pair differs in {key}: {model.Metadata[key]} against {optimizer.Metadata[key]}";
                }
            }

            // The command a user has: the run folder's checkpoint, even if the kill came before its copy was made.
            finished = RunArguments(["train", "--resume", copy, .. Options], killAt: 0);
        }
        else if (File.Exists(copy))
        {
            return "the run folder has a checkpoint.safetensors but no complete step folder behind it";
        }
        else
        {
            // Killed before the first checkpoint was in place: nothing to resume, the same command starts again.
            finished = RunArguments(["train", "--out", output, .. Options], killAt: 0);
        }

        if (finished.ExitCode != 0)
        {
            return $"the run after the kill failed (exit {finished.ExitCode}): {finished.Error}";
        }

        string[] leftovers = [.. Directory.EnumerateFileSystemEntries(output, "*", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p).EndsWith(".tmp", StringComparison.Ordinal) || Path.GetFileName(p).EndsWith(".partial", StringComparison.Ordinal) || Path.GetFileName(p) == RunLock.FileName || Path.GetFileName(p) == RunLock.OwnerFileName)];
        if (leftovers.Length > 0)
        {
            return $"left behind: {string.Join(", ", leftovers)}";
        }

        return Compare(reference, output);
    }

    /// <summary>The newest checkpoint's tensors and loss history, and the run folder's copies, against the reference run's.</summary>
    private static string? Compare(string reference, string output)
    {
        CheckpointFiles expected = CheckpointStore.Locate(Path.Combine(reference, CheckpointStore.ModelFileName));
        CheckpointFiles actual = CheckpointStore.Locate(Path.Combine(output, CheckpointStore.ModelFileName));
        foreach ((string what, string a, string b) in (ValueTuple<string, string, string>[])
            [("network", expected.Model, actual.Model), ("optimizer", expected.Optimizer, actual.Optimizer),
             ("run folder's network", Path.Combine(reference, CheckpointStore.ModelFileName), Path.Combine(output, CheckpointStore.ModelFileName))])
        {
            SafeTensorsContent left = SafeTensors.Load(a), right = SafeTensors.Load(b);
            if (left.Metadata["step"] != right.Metadata["step"])
            {
                return $"{what}: step {right.Metadata["step"]}, the uninterrupted run's is {left.Metadata["step"]}";
            }

            foreach ((string name, Tensor tensor) in left.Tensors)
            {
                if (!right.Tensors.TryGetValue(name, out Tensor? other) || !tensor.Values.SequenceEqual(other.Values))
                {
                    return $"{what}: {name} differs from the uninterrupted run";
                }
            }
        }

        if (File.ReadAllText(expected.History) != File.ReadAllText(actual.History)
            || File.ReadAllText(Path.Combine(reference, "losses.csv")) != File.ReadAllText(Path.Combine(output, "losses.csv")))
        {
            return "the loss history differs from the uninterrupted run";
        }

        return null;
    }

    private static ChildResult Run(string output, int killAt, bool? expectKill)
    {
        ChildResult result = RunArguments(["train", "--out", output, .. Options], killAt);
        if (expectKill == false)
        {
            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Error}");
        }

        return result;
    }

    private static ChildResult RunArguments(string[] arguments, int killAt)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CliApplication).Assembly.Location);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[FaultPoints.KillAtVariable] = killAt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"'{string.Join(' ', arguments)}' did not finish");
        return new ChildResult(process.ExitCode, output, error.Result);
    }

    private sealed record ChildResult(int ExitCode, string Output, string Error);
}
