using System.Collections.Immutable;
using FastLoss.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FastLoss.Generators.Tests;

/// <summary>Compiles declarations against the real FastLoss runtime and runs the generator on them.</summary>
internal static class GeneratorHarness
{
    private static readonly ImmutableArray<MetadataReference> References = LoadReferences();

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    /// <summary>The runtime lets this assembly see its internals, as class-loss declarations name internal kernels.</summary>
    public const string AssemblyName = "FastLoss.Generators.Tests.Declarations";

    public static CSharpCompilation Compile(string source) => CSharpCompilation.Create(
        AssemblyName,
        [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Declarations.cs")],
        References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    /// <summary>Runs the generator; returns the driver (for incrementality checks), the output compilation and all diagnostics.</summary>
    public static (GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics) Run(string source)
    {
        var compilation = Compile(source);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new ElementwiseGenerator().AsSourceGenerator(), new ClassLossGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (driver, output, diagnostics);
    }

    public static string GeneratedSource(GeneratorDriver driver)
    {
        var result = driver.GetRunResult();
        Assert.Single(result.GeneratedTrees);
        return result.GeneratedTrees[0].GetText().ToString();
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        foreach (string path in trusted.Split(Path.PathSeparator))
        {
            references.Add(MetadataReference.CreateFromFile(path));
        }

        references.Add(MetadataReference.CreateFromFile(typeof(FastLoss.Tensor).Assembly.Location));
        return references.ToImmutable();
    }
}
