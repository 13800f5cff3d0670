using System.Globalization;
using System.Security.Cryptography;

namespace FastLoss.Data;

/// <summary>
/// Fetches the CIFAR-10 archive, verifies its MD5 and unpacks it, so that nothing a later run would
/// trust exists until it is complete: the body streams to a temporary file that is renamed to the
/// archive's name only once its checksum matches, and the folder is unpacked into a temporary folder
/// that is renamed into place only once every file is written.
/// </summary>
internal static class Cifar10Download
{
    private const string PartialSuffix = ".partial";

    /// <summary>Downloads, verifies and unpacks into <c>root/cifar-10-batches-bin</c>; returns that folder.</summary>
    public static string DownloadAndExtract(string root, Cifar10DownloadOptions options)
    {
        ValidateOptions(options);
        Directory.CreateDirectory(root);
        string unique = Guid.NewGuid().ToString("N");
        string partialArchive = Path.Combine(root, $".{Cifar10Format.ArchiveName}.{unique}{PartialSuffix}");
        string partialFolder = Path.Combine(root, $".{Cifar10Format.FolderName}.{unique}{PartialSuffix}");
        try
        {
            Download(options, partialArchive);
            Directory.CreateDirectory(partialFolder);
            Cifar10Archive.ExtractFolder(partialArchive, partialFolder);
            string folder = Path.Combine(root, Cifar10Format.FolderName);
            MoveIntoPlace(partialFolder, folder);
            File.Move(partialArchive, Path.Combine(root, Cifar10Format.ArchiveName), overwrite: true);
            return folder;
        }
        finally
        {
            DeleteQuietly(partialArchive);
            if (Directory.Exists(partialFolder))
            {
                Directory.Delete(partialFolder, recursive: true);
            }
        }
    }

    private static void ValidateOptions(Cifar10DownloadOptions options)
    {
        if (!options.Uri.IsAbsoluteUri || (options.Uri.Scheme != Uri.UriSchemeHttps && options.Uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"The CIFAR-10 download address must be an absolute http(s) URI, got '{options.Uri}'.", nameof(options));
        }

        if (options.Md5 is null || options.Md5.Length != 32 || !options.Md5.All(Uri.IsHexDigit))
        {
            throw new ArgumentException($"The expected MD5 must be 32 hex digits, got '{options.Md5}'.", nameof(options));
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The download timeout must be positive, got {options.Timeout}.", nameof(options));
        }
    }

    private static void Download(Cifar10DownloadOptions options, string destination)
    {
        Uri uri = options.Uri;
        // A loopback address (a local mirror) never goes through a proxy from the environment.
        using var handler = new SocketsHttpHandler { UseProxy = !uri.IsLoopback, AutomaticDecompression = System.Net.DecompressionMethods.None };
        using var client = new HttpClient(handler) { Timeout = options.Timeout };
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        long received = 0;
        long? expectedLength = null;
        bool answered = false;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using HttpResponseMessage response = client.Send(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"Download of {uri} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
            }

            answered = true;
            expectedLength = response.Content.Headers.ContentLength;
            using Stream body = response.Content.ReadAsStream();
            using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = body.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
                received += read;
            }

            output.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or HttpRequestException { StatusCode: null } or TaskCanceledException or OperationCanceledException)
        {
            string cause = e is TaskCanceledException or OperationCanceledException
                ? $"no complete response within {options.Timeout}"
                : e.Message;
            string what = answered ? $"was interrupted after {Progress(received, expectedLength)}" : "failed before any data arrived";
            throw new IOException(
                $"Download of {uri} {what}: {cause}. The partial file was deleted; nothing was extracted.", e);
        }

        if (expectedLength is { } length && received != length)
        {
            throw new IOException(
                $"Download of {uri} was interrupted after {Progress(received, expectedLength)}. " +
                "The partial file was deleted; nothing was extracted.");
        }

        string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(actual, options.Md5, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"MD5 mismatch for the archive downloaded from {uri}: expected {options.Md5.ToLowerInvariant()}, " +
                $"got {actual} ({Bytes(received)}). The file was deleted; nothing was extracted.");
        }
    }

    /// <summary>
    /// Renames the unpacked folder into place; when the folder already exists (holding other batches),
    /// each missing file is renamed in instead, and files already there are left alone.
    /// </summary>
    private static void MoveIntoPlace(string partialFolder, string folder)
    {
        if (!Directory.Exists(folder))
        {
            Directory.Move(partialFolder, folder);
            return;
        }

        foreach (string file in Directory.EnumerateFiles(partialFolder))
        {
            string target = Path.Combine(folder, Path.GetFileName(file));
            if (!File.Exists(target))
            {
                File.Move(file, target);
            }
        }
    }

    private static void DeleteQuietly(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private static string Bytes(long count) => $"{count.ToString(CultureInfo.InvariantCulture)} bytes";

    private static string Progress(long received, long? length) => length is { } total
        ? $"{received.ToString(CultureInfo.InvariantCulture)} of {Bytes(total)}"
        : Bytes(received);
}
