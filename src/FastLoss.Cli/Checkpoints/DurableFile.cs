namespace FastLoss.Cli.Checkpoints;

/// <summary>
/// Writes a file that is either whole or absent at every instant: the bytes go to a temporary sibling, are flushed to
/// disk, and the temporary is renamed over the target (an atomic replace). Each step is a <see cref="FaultPoints"/>
/// point. Temporaries are named ".NAME.tmp" so <see cref="RemoveTemporaries"/> finds what a killed run left.
/// </summary>
internal static class DurableFile
{
    public const string TemporarySuffix = ".tmp";

    /// <summary>Writes <paramref name="path"/> from <paramref name="write"/>, durably and atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        string temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}{TemporarySuffix}");
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
        {
            write(file);
            FaultPoints.Reach($"written {temporary}");
            file.Flush(flushToDisk: true);
            FaultPoints.Reach($"flushed {temporary}");
        }

        File.Move(temporary, fullPath, overwrite: true);
        FaultPoints.Reach($"renamed {temporary} to {fullPath}");
    }

    /// <summary>Deletes the temporaries a killed writer left in <paramref name="folder"/>.</summary>
    public static void RemoveTemporaries(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (string file in Directory.EnumerateFiles(folder, "." + "*" + TemporarySuffix))
        {
            File.Delete(file);
        }
    }
}
