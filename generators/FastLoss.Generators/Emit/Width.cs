namespace FastLoss.Generators.Emit;

/// <summary>One code shape for elements: a vector type of some width, or plain float for the tail and fallback.</summary>
internal sealed class Width
{
    private Width(string? vectorClass) => VectorClass = vectorClass;

    public static Width Scalar { get; } = new(null);

    public static Width V512 { get; } = new("Vector512");

    public static Width V256 { get; } = new("Vector256");

    public static Width V128 { get; } = new("Vector128");

    /// <summary>The widest first: the loops try them in this order.</summary>
    public static Width[] Vectors { get; } = { V512, V256, V128 };

    /// <summary>Vector512 etc.; null for scalar.</summary>
    public string? VectorClass { get; }

    public bool IsScalar => VectorClass is null;

    /// <summary>The element type in this shape: <c>float</c> or <c>Vector512&lt;float&gt;</c>.</summary>
    public string Type => VectorClass is null ? "float" : VectorClass + "<float>";

    /// <summary>The lane count expression.</summary>
    public string Count => VectorClass + "<float>.Count";
}
