using System.Runtime.InteropServices;

namespace FastLoss.Threading;

/// <summary>
/// The generation a pool worker was asked to run and the last one it finished, alone on their cache line: the
/// worker spins on this line between jobs, so any other data on it would move between the cores at each write.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct WorkerHandshake
{
    [FieldOffset(64)] public int Requested;
    [FieldOffset(68)] public int Completed;
}
