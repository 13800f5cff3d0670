namespace FastLoss.Data;

/// <summary>
/// One batch file a <see cref="Cifar10"/> dataset was read from, and how many of its records it holds,
/// in the order the records appear in the dataset.
/// </summary>
/// <param name="Path">The file's path, or for a file read inside the archive, <c>archive.tar.gz!entry/name</c>.</param>
/// <param name="RecordCount">The number of 3073-byte records read from it.</param>
public sealed record Cifar10SourceFile(string Path, int RecordCount);
