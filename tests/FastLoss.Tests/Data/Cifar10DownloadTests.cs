using System.Security.Cryptography;
using FastLoss.Data;
using FastLoss.Tests.Shared;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Data;

/// <summary>The archive built once for the download tests: the test split and the class names, gzip-compressed.</summary>
public sealed class DownloadArchiveFixture
{
    public DownloadArchiveFixture()
    {
        Archive = Cifar10TestData.BuildArchive("test_batch.bin", "batches.meta.txt");
#pragma warning disable CA5351 // MD5 is the checksum the dataset's publisher gives; it guards integrity, not security.
        Md5 = Convert.ToHexStringLower(MD5.HashData(Archive));
#pragma warning restore CA5351
    }

    public byte[] Archive { get; }

    public string Md5 { get; }
}

/// <summary>
/// download: true against a server on 127.0.0.1: a good download is verified and unpacked; a wrong checksum,
/// a connection closed mid-body, an HTTP error or a silent server fail with a message and leave nothing behind.
/// </summary>
public sealed class Cifar10DownloadTests : IClassFixture<DownloadArchiveFixture>, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly DownloadArchiveFixture _archive;
    private readonly TempFolder _root = new();

    public Cifar10DownloadTests(DownloadArchiveFixture archive) => _archive = archive;

    public void Dispose() => _root.Dispose();

    private Cifar10DownloadOptions Options(Uri uri, string? md5 = null, TimeSpan? timeout = null) =>
        new() { Uri = uri, Md5 = md5 ?? _archive.Md5, Timeout = timeout ?? s_timeout };

    [Fact]
    public void Download_verifies_unpacks_and_reads_the_archive()
    {
        using var server = new LoopbackHttpServer(_archive.Archive, LoopbackResponse.Complete);

        var test = new Cifar10(_root.Path, train: false, download: true, Options(server.Uri, _archive.Md5.ToUpperInvariant()));

        Assert.Equal(1, server.Requests);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(_root.Combine("cifar-10-batches-bin", "test_batch.bin"), Assert.Single(test.Files).Path);
        Assert.Equal(
            ["cifar-10-batches-bin", "cifar-10-batches-bin/batches.meta.txt", "cifar-10-batches-bin/readme.html",
             "cifar-10-batches-bin/test_batch.bin", "cifar-10-binary.tar.gz"],
            _root.Listing());
        Assert.Equal(_archive.Archive, File.ReadAllBytes(_root.Combine("cifar-10-binary.tar.gz")));
        Assert.Equal(Cifar10TestData.TestBatch, File.ReadAllBytes(_root.Combine("cifar-10-batches-bin", "test_batch.bin")));

        // Present now: a second load reads the folder and does not download again.
        var again = new Cifar10(_root.Path, train: false, download: true, Options(server.Uri));
        Assert.Equal(1, server.Requests);
        Assert.Equal(test.GetLabel(1234), again.GetLabel(1234));
    }

    [Fact]
    public void Wrong_checksum_names_both_hashes_and_leaves_nothing()
    {
        using var server = new LoopbackHttpServer(_archive.Archive, LoopbackResponse.Complete);
        const string expected = "0123456789abcdef0123456789abcdef";

        var error = Assert.Throws<InvalidDataException>(
            () => new Cifar10(_root.Path, train: false, download: true, Options(server.Uri, expected)));

        Assert.Contains($"MD5 mismatch for the archive downloaded from {server.Uri}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"expected {expected}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"got {_archive.Md5}", error.Message, StringComparison.Ordinal);
        Assert.Empty(_root.Listing());
        // And a later run without download finds nothing it could trust.
        Assert.Throws<FileNotFoundException>(() => new Cifar10(_root.Path, train: false));
    }

    [Fact]
    public void Connection_closed_mid_body_fails_and_leaves_nothing()
    {
        using var server = new LoopbackHttpServer(_archive.Archive, LoopbackResponse.CloseMidBody);

        var error = Assert.Throws<IOException>(
            () => new Cifar10(_root.Path, train: false, download: true, Options(server.Uri)));

        Assert.Contains($"Download of {server.Uri} was interrupted after", error.Message, StringComparison.Ordinal);
        Assert.Contains($"of {_archive.Archive.Length} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was extracted", error.Message, StringComparison.Ordinal);
        Assert.Empty(_root.Listing());
        Assert.Throws<FileNotFoundException>(() => new Cifar10(_root.Path, train: false));
    }

    [Fact]
    public void Http_error_status_is_reported_and_leaves_nothing()
    {
        using var server = new LoopbackHttpServer([], LoopbackResponse.NotFound);

        var error = Assert.Throws<HttpRequestException>(
            () => new Cifar10(_root.Path, train: false, download: true, Options(server.Uri)));

        Assert.Contains($"Download of {server.Uri} failed: HTTP 404 Not Found", error.Message, StringComparison.Ordinal);
        Assert.Empty(_root.Listing());
    }

    [Fact]
    public void Server_that_never_answers_times_out_and_leaves_nothing()
    {
        using var server = new LoopbackHttpServer(_archive.Archive, LoopbackResponse.Silent);

        var error = Assert.Throws<IOException>(() => new Cifar10(
            _root.Path, train: false, download: true, Options(server.Uri, timeout: TimeSpan.FromSeconds(1))));

        Assert.Contains($"Download of {server.Uri} failed before any data arrived: no complete response within 00:00:01",
            error.Message, StringComparison.Ordinal);
        Assert.Empty(_root.Listing());
    }

    [Fact]
    public void Refused_connection_fails_and_leaves_nothing()
    {
        // A port that was free a moment ago and has no listener now.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var uri = new Uri($"http://127.0.0.1:{port}/cifar-10-binary.tar.gz");

        var error = Assert.Throws<IOException>(() => new Cifar10(_root.Path, train: false, download: true, Options(uri)));

        Assert.Contains($"Download of {uri} failed before any data arrived", error.Message, StringComparison.Ordinal);
        Assert.Empty(_root.Listing());
    }

    [Fact]
    public void Malformed_download_options_are_refused_before_any_request()
    {
        using var server = new LoopbackHttpServer(_archive.Archive, LoopbackResponse.Complete);

        var badMd5 = Assert.Throws<ArgumentException>(
            () => new Cifar10(_root.Path, train: false, download: true, Options(server.Uri, "not-a-hash")));
        var badScheme = Assert.Throws<ArgumentException>(
            () => new Cifar10(_root.Path, train: false, download: true, Options(new Uri("ftp://127.0.0.1/x.tar.gz"))));

        Assert.Contains("32 hex digits, got 'not-a-hash'", badMd5.Message, StringComparison.Ordinal);
        Assert.Contains("absolute http(s) URI, got 'ftp://127.0.0.1/x.tar.gz'", badScheme.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public void Official_location_and_checksum_are_the_defaults()
    {
        var options = new Cifar10DownloadOptions();

        Assert.Equal("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", options.Uri.ToString());
        Assert.Equal("c32a1d4ab5d03f1284b67883e8d87530", options.Md5);
    }
}
