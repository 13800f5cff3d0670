namespace FastLoss.Kernels;

/// <summary>The register-tile micro-kernels of <see cref="Gemm"/>, one per vector width (<see cref="GemmTiling"/>).</summary>
internal enum GemmKernel
{
    /// <summary>8 x 32 on Vector512.</summary>
    Wide,

    /// <summary>6 x 16 on Vector256.</summary>
    Narrow,

    /// <summary>6 x 8 on Vector128.</summary>
    Compact,

    /// <summary>4 x 4 on scalars.</summary>
    Scalar,
}
