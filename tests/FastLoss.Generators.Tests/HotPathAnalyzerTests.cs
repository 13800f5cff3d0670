using System.Collections.Immutable;
using FastLoss.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FastLoss.Generators.Tests;

/// <summary>FL4001: allocations in [HotPath] methods are compile-time errors; error paths and other methods are not.</summary>
public class HotPathAnalyzerTests
{
    [Fact]
    public void Each_allocation_in_a_hot_path_is_reported_where_it_is()
    {
        const string source = """
            using System;
            using System.Linq;
            using FastLoss.Generation;

            public sealed class Layer
            {
                private float[] _buffer = new float[4];

                [HotPath]
                public float Step(float[] values, int count)
                {
                    if (count < 0)
                    {
                        throw new ArgumentOutOfRangeException(nameof(count), $"negative count {count}");
                    }

                    var scratch = new float[count];
                    Func<float, float> twice = v => v * 2;
                    object boxed = count;
                    string text = "n=" + count;
                    return values.Sum() + scratch.Length + twice(1) + boxed.GetHashCode() + text.Length;
                }

                public void Plan(int count) => _buffer = new float[count];
            }
            """;
        var diagnostics = Analyze(source);

        Assert.All(diagnostics, d => Assert.Equal("FL4001", d.Id));
        string[] messages = diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Contains(messages, m => m.Contains("an array creation", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("a lambda or anonymous method", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("boxing of Int32", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("string concatenation", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("LINQ (Sum)", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains("string interpolation", StringComparison.Ordinal)); // inside the throw
        Assert.All(diagnostics, d => Assert.True(d.Location.GetLineSpan().StartLinePosition.Line is >= 16 and <= 21, $"{d} is outside Step's body"));
    }

    [Fact]
    public void A_clean_hot_path_has_no_diagnostics()
    {
        const string source = """
            using System;
            using FastLoss.Generation;

            public static class Kernel
            {
                [HotPath]
                public static float Sum(ReadOnlySpan<float> values)
                {
                    float total = 0;
                    foreach (float v in values)
                    {
                        total += v;
                    }

                    return total;
                }
            }
            """;
        Assert.Empty(Analyze(source));
    }

    private static ImmutableArray<Diagnostic> Analyze(string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return compilation.WithAnalyzers([new HotPathAllocationAnalyzer()]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }
}
