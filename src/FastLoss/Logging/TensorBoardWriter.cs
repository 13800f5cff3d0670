using System.Globalization;
using System.Text;
using FastLoss.Generation;
using FastLoss.Serialization.Protobuf;

namespace FastLoss.Logging;

/// <summary>
/// Writes scalars for TensorBoard, as torch's <c>SummaryWriter.add_scalar</c>: an event file
/// <c>events.out.tfevents.&lt;unix time&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;n&gt;</c> in the log folder (torch's naming; the
/// process id and counter keep two writers started in the same second apart). Each record is flushed to the
/// operating system as it is written, so TensorBoard sees it at once and a crash loses nothing written.
/// Adding a scalar allocates nothing once the record buffer has grown to the longest tag.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    // Field numbers of tensorflow/core/util/event.proto and summary.proto.
    private const int EventWallTime = 1;
    private const int EventStep = 2;
    private const int EventFileVersion = 3;
    private const int EventSummary = 5;
    private const int SummaryValue = 1;
    private const int ValueTag = 1;
    private const int ValueSimpleValue = 2;

    /// <summary>The version string TensorBoard expects in a file's first event.</summary>
    public const string FileVersion = "brain.Event:2";

    private static int s_writerCount;

    private readonly FileStream _file;
    private readonly Lock _gate = new();
    private byte[] _record = new byte[256];
    private bool _disposed;

    /// <param name="logDir">The run's folder (created if needed), e.g. <c>runs/cifar10-seed1</c>.</param>
    /// <param name="filenameSuffix">Appended to the file name, as torch's filename_suffix.</param>
    /// <param name="flushEachRecord">Flush every record to the operating system (the default); otherwise on Flush and Dispose.</param>
    public TensorBoardWriter(string logDir, string filenameSuffix = "", bool flushEachRecord = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(logDir);
        ArgumentNullException.ThrowIfNull(filenameSuffix);
        LogDir = Path.GetFullPath(logDir);
        FlushEachRecord = flushEachRecord;
        Directory.CreateDirectory(LogDir);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        int uid = Interlocked.Increment(ref s_writerCount) - 1;
        string name = string.Create(CultureInfo.InvariantCulture,
            $"events.out.tfevents.{now:D10}.{SafeHostName()}.{Environment.ProcessId}.{uid}{filenameSuffix}");
        FilePath = Path.Combine(LogDir, name);
        _file = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 4096);
        WriteFileVersion();
    }

    /// <summary>The log folder, as a full path.</summary>
    public string LogDir { get; }

    /// <summary>The event file being written.</summary>
    public string FilePath { get; }

    /// <summary>Whether every record is flushed as it is written.</summary>
    public bool FlushEachRecord { get; }

    /// <summary>Records <paramref name="value"/> under <paramref name="tag"/> at <paramref name="step"/>, as add_scalar.</summary>
    /// <param name="tag">The series name, e.g. "loss/train"; slashes group series in TensorBoard.</param>
    /// <param name="value">The value (stored as float32 simple_value, as torch does).</param>
    /// <param name="step">The global step (x axis).</param>
    /// <param name="wallTime">Seconds since the Unix epoch; now when null.</param>
    [HotPath]
    public void AddScalar(string tag, float value, long step, double? wallTime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        int tagBytes = Encoding.UTF8.GetByteCount(tag);
        int valueSize = ProtobufWriter.LengthDelimitedSize(ValueTag, tagBytes) + ProtobufWriter.TagSize(ValueSimpleValue) + sizeof(float);
        int summarySize = ProtobufWriter.LengthDelimitedSize(SummaryValue, valueSize);
        int eventSize = ProtobufWriter.TagSize(EventWallTime) + sizeof(double)
            + (step != 0 ? ProtobufWriter.TagSize(EventStep) + ProtobufWriter.VarintSize((ulong)step) : 0)
            + ProtobufWriter.LengthDelimitedSize(EventSummary, summarySize);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Span<byte> record = RecordBuffer(eventSize);
            var writer = new ProtobufWriter(record[TfRecord.HeaderBytes..]);
            writer.WriteDouble(EventWallTime, wallTime ?? Now());
            if (step != 0)
            {
                // proto3 leaves a field at its default (0) out; readers take the absence as 0.
                writer.WriteInt64(EventStep, step);
            }

            writer.WriteLengthPrefix(EventSummary, summarySize);
            writer.WriteLengthPrefix(SummaryValue, valueSize);
            writer.WriteString(ValueTag, tag, tagBytes);
            writer.WriteFloat(ValueSimpleValue, value);
            WriteRecord(record, writer.Position);
        }
    }

    /// <summary>Pushes buffered records to the operating system.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _file.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _file.Flush();
            _file.Dispose();
        }
    }

    private void WriteFileVersion()
    {
        int versionBytes = Encoding.UTF8.GetByteCount(FileVersion);
        int eventSize = ProtobufWriter.TagSize(EventWallTime) + sizeof(double)
            + ProtobufWriter.LengthDelimitedSize(EventFileVersion, versionBytes);
        Span<byte> record = RecordBuffer(eventSize);
        var writer = new ProtobufWriter(record[TfRecord.HeaderBytes..]);
        writer.WriteDouble(EventWallTime, Now());
        writer.WriteString(EventFileVersion, FileVersion, versionBytes);
        WriteRecord(record, writer.Position);
    }

    /// <summary>The reusable record buffer, grown (once per longer tag) to hold an event of <paramref name="eventSize"/> bytes.</summary>
    private Span<byte> RecordBuffer(int eventSize)
    {
        int needed = TfRecord.HeaderBytes + eventSize + TfRecord.FooterBytes;
        if (_record.Length < needed)
        {
            _record = new byte[Math.Max(needed, _record.Length * 2)];
        }

        return _record.AsSpan(0, needed);
    }

    [HotPath]
    private void WriteRecord(Span<byte> record, int eventSize)
    {
        int length = TfRecord.Frame(record, eventSize);
        _file.Write(record[..length]);
        if (FlushEachRecord)
        {
            _file.Flush();
        }
    }

    private static double Now() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;

    /// <summary>The host name with anything that does not belong in a file name replaced.</summary>
    private static string SafeHostName()
    {
        string host = Environment.MachineName;
        var safe = new StringBuilder(host.Length);
        foreach (char c in host)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return safe.Length > 0 ? safe.ToString() : "localhost";
    }
}
