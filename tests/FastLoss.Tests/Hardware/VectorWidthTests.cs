using System.Runtime.Intrinsics;
using FastLoss.Kernels;

namespace FastLoss.Tests.Hardware;

/// <summary>
/// CI runs the kernel, module and parity tests again with the runtime's ISA switches so that the 256-bit, 128-bit
/// and scalar paths each run on one machine, and names the widest width each run should have in
/// FASTLOSS_EXPECTED_VECTOR_WIDTH (512, 256, 128 or scalar). This checks that the run really has it: a switch the
/// runtime renamed or stopped honouring would otherwise rerun the default paths and pass without testing anything.
/// Without the variable it checks what holds on every machine.
/// </summary>
public sealed class VectorWidthTests
{
    public const string ExpectedWidthVariable = "FASTLOSS_EXPECTED_VECTOR_WIDTH";

    [Fact]
    public void The_run_has_the_vector_width_it_was_started_for()
    {
        string actual = WidestAccelerated();
        string? expected = Environment.GetEnvironmentVariable(ExpectedWidthVariable);
        if (!string.IsNullOrEmpty(expected))
        {
            Assert.True(expected == actual,
                $"{ExpectedWidthVariable}={expected}, but this run's widest accelerated vectors are {actual} " +
                $"(Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}): " +
                "the runtime's ISA switch did not take effect");
        }

        // Each width implies the narrower ones, which the fallbacks rely on.
        Assert.False(Vector512.IsHardwareAccelerated && !Vector256.IsHardwareAccelerated, "Vector512 without Vector256");
        Assert.False(Vector256.IsHardwareAccelerated && !Vector128.IsHardwareAccelerated, "Vector256 without Vector128");
    }

    [Fact]
    public void The_matrix_product_uses_the_widest_accelerated_kernel()
    {
        GemmKernel expected = WidestAccelerated() switch
        {
            "512" => GemmKernel.Wide,
            "256" => GemmKernel.Narrow,
            "128" => GemmKernel.Compact,
            _ => GemmKernel.Scalar,
        };
        Assert.Equal(expected, GemmTiling.Current.Kernel);
    }

    private static string WidestAccelerated() =>
        Vector512.IsHardwareAccelerated ? "512"
        : Vector256.IsHardwareAccelerated ? "256"
        : Vector128.IsHardwareAccelerated ? "128"
        : "scalar";
}
