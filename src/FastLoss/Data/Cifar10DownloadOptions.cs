namespace FastLoss.Data;

/// <summary>
/// Where <see cref="Cifar10"/> fetches the official archive from when asked to download, and the checksum
/// the downloaded bytes must have. The defaults are the official location and MD5; a mirror or a local
/// server can be named instead.
/// </summary>
public sealed record Cifar10DownloadOptions
{
    /// <summary>The official archive.</summary>
    public static readonly Uri OfficialUri = new("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");

    /// <summary>The MD5 of the official archive, as published next to it.</summary>
    public const string OfficialMd5 = "c32a1d4ab5d03f1284b67883e8d87530";

    /// <summary>The archive's address (http or https).</summary>
    public Uri Uri { get; init; } = OfficialUri;

    /// <summary>The MD5 the downloaded archive must have, as 32 hex digits (either case).</summary>
    public string Md5 { get; init; } = OfficialMd5;

    /// <summary>The longest the whole download may take (connect, headers and body).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
}
