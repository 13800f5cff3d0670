using System.Text;
using System.Text.RegularExpressions;
using FastLoss.Logging;
using FastLoss.Tests.Shared;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Logging;

/// <summary>Event files read back with an independent TFRecord/protobuf reader.</summary>
public sealed class TensorBoardWriterTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Scalars_are_written_as_tensorboard_events()
    {
        double start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        string path;
        using (var writer = new TensorBoardWriter(_folder.Combine("run1")))
        {
            path = writer.FilePath;
            writer.AddScalar("loss/train", 2.302585f, 0);
            writer.AddScalar("loss/train", 1.25f, 1);
            writer.AddScalar("accuracy/test", 0.5f, 100_000);
            writer.AddScalar("loss/train", -0.125f, 1L << 40, wallTime: 1_700_000_000.25);
            writer.AddScalar("négatif", float.NaN, -3);
        }

        List<DecodedEvent> events = EventFileReader.Read(path);

        Assert.Equal(6, events.Count);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Empty(events[0].Values);
        Assert.Equal(0, events[0].Step);
        Assert.InRange(events[0].WallTime, start - 1, start + 60);

        Assert.Equal(("loss/train", 2.302585f), Assert.Single(events[1].Values));
        Assert.Equal(0, events[1].Step);
        Assert.Equal(("loss/train", 1.25f), Assert.Single(events[2].Values));
        Assert.Equal(1, events[2].Step);
        Assert.Equal(("accuracy/test", 0.5f), Assert.Single(events[3].Values));
        Assert.Equal(100_000, events[3].Step);
        Assert.Equal(("loss/train", -0.125f), Assert.Single(events[4].Values));
        Assert.Equal(1L << 40, events[4].Step);
        Assert.Equal(1_700_000_000.25, events[4].WallTime);
        Assert.Equal("négatif", events[5].Values[0].Tag);
        Assert.True(float.IsNaN(events[5].Values[0].Value));
        Assert.Equal(-3, events[5].Step);
        for (int i = 1; i < 4; i++)
        {
            Assert.Null(events[i].FileVersion);
            Assert.InRange(events[i].WallTime, start - 1, start + 60);
            Assert.True(events[i].WallTime >= events[i - 1].WallTime);
        }
    }

    [Fact]
    public void File_is_named_as_torch_names_it()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var writer = new TensorBoardWriter(_folder.Path, filenameSuffix: ".cifar10");

        string name = Path.GetFileName(writer.FilePath);
        Match match = Regex.Match(name, @"^events\.out\.tfevents\.(\d{10})\.([^.]+(\.[^.]+)*)\.(\d+)\.(\d+)\.cifar10$");

        Assert.True(match.Success, name);
        Assert.InRange(long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), now - 1, now + 60);
        Assert.Contains($".{Environment.ProcessId}.", name, StringComparison.Ordinal);
        Assert.Equal(_folder.Path, writer.LogDir);
    }

    [Fact]
    public void Two_writers_in_one_folder_write_two_files()
    {
        using var first = new TensorBoardWriter(_folder.Path);
        using var second = new TensorBoardWriter(_folder.Path);

        Assert.NotEqual(first.FilePath, second.FilePath);
        Assert.Equal(2, Directory.GetFiles(_folder.Path).Length);
    }

    [Fact]
    public void Each_record_is_readable_before_the_writer_is_closed()
    {
        using var writer = new TensorBoardWriter(_folder.Path);
        writer.AddScalar("loss", 0.75f, 3);

        List<DecodedEvent> events = EventFileReader.Read(writer.FilePath);

        Assert.Equal(2, events.Count);
        Assert.Equal(("loss", 0.75f), events[1].Values[0]);
    }

    [Fact]
    public void Without_per_record_flush_records_arrive_on_Flush()
    {
        using var writer = new TensorBoardWriter(_folder.Path, flushEachRecord: false);
        writer.AddScalar("loss", 0.5f, 1);
        writer.Flush();

        Assert.Equal(2, EventFileReader.Read(writer.FilePath).Count);
    }

    [Fact]
    public void Adding_scalars_allocates_nothing_after_warm_up()
    {
        using var writer = new TensorBoardWriter(_folder.Path);
        for (int i = 0; i < 100; i++)
        {
            writer.AddScalar("loss/train", i, i);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2_000; i++)
        {
            writer.AddScalar("loss/train", i * 0.5f, 100 + i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2_101, EventFileReader.Read(writer.FilePath).Count);
    }

    [Fact]
    public void Long_tags_grow_the_record_buffer()
    {
        string tag = new('t', 5_000);
        string path;
        using (var writer = new TensorBoardWriter(_folder.Path))
        {
            path = writer.FilePath;
            writer.AddScalar("short", 1f, 1);
            writer.AddScalar(tag, 2f, 2);
            writer.AddScalar("short", 3f, 3);
        }

        List<DecodedEvent> events = EventFileReader.Read(path);
        Assert.Equal([("short", 1f), (tag, 2f), ("short", 3f)], events.Skip(1).Select(e => e.Values[0]));
    }

    [Fact]
    public void Bad_calls_are_refused()
    {
        var writer = new TensorBoardWriter(_folder.Path);

        Assert.Throws<ArgumentException>(() => writer.AddScalar("", 1f, 0));
        writer.Dispose();
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.AddScalar("loss", 1f, 0));
        Assert.Throws<ObjectDisposedException>(writer.Flush);
        Assert.Single(EventFileReader.Read(writer.FilePath));
    }

    [Fact]
    public void Crc32C_matches_the_check_value_and_a_bitwise_implementation()
    {
        // The catalogue check value of CRC-32C ("123456789").
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xE3069283u, EventFileReader.BitwiseCrc32C(Encoding.ASCII.GetBytes("123456789")));
        var random = new Random(3);
        for (int length = 0; length <= 100; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(EventFileReader.BitwiseCrc32C(data), Crc32C.Compute(data));
            Assert.Equal(EventFileReader.MaskedCrc32C(data), Crc32C.Masked(data));
        }
    }
}
