using System.Globalization;

namespace FastLoss.Cli.Checkpoints;

/// <summary>
/// One training run per output folder: the run holds ".lock" in the folder open and locked for its whole life (on
/// Linux and macOS an advisory lock, on Windows an exclusive share), and writes its process id to ".lock.owner" (the
/// lock itself cannot be read while held). A second run into the folder is refused with that process id. The lock
/// goes with the process, so a run that was killed leaves nothing to clean up by hand: the next run takes it over.
/// </summary>
internal sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";
    public const string OwnerFileName = ".lock.owner";

    private readonly FileStream _file;

    private RunLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of <paramref name="folder"/> (created when missing), or refuses with who holds it.</summary>
    public static RunLock Take(string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string holder = ReadHolder(path);
            throw new CommandException(
                $"another training run is writing to '{folder}'{holder}: wait for it to finish, or train into another --out.");
        }

        File.WriteAllText(Path.Combine(folder, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new RunLock(file);
    }

    public void Dispose()
    {
        string path = _file.Name;
        File.Delete(Path.Combine(Path.GetDirectoryName(path)!, OwnerFileName));
        File.Delete(path);
        _file.Dispose();
    }

    private static string ReadHolder(string lockPath)
    {
        try
        {
            string pid = File.ReadAllText(Path.Combine(Path.GetDirectoryName(lockPath)!, OwnerFileName)).Trim();
            return pid.Length > 0 ? $" (process {pid})" : string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
