using Microsoft.CodeAnalysis;

namespace FastLoss.Generators.Diagnostics;

/// <summary>
/// The catalog of FastLoss diagnostics. Ranges by kind: FL1xxx declaration shape, FL2xxx vectorization,
/// FL3xxx numerics, FL4xxx hot-path allocation, FL5xxx class-loss declarations. Each id has a help page under docs/diagnostics/.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string HelpRoot = "https://github.com/fastloss/fastloss/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor NotAnExpressionBodiedFormula = new(
        id: "FL1001",
        title: "Declaration is not an expression-bodied static float method",
        messageFormat: "'{0}' must be a static method returning float with an expression body (=> formula); {1}",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL1001.md");

    public static readonly DiagnosticDescriptor UnsupportedParameter = new(
        id: "FL1002",
        title: "Declaration parameter has an unsupported type or role",
        messageFormat: "Parameter '{0}' of '{1}' is not supported: {2}",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL1002.md");

    public static readonly DiagnosticDescriptor CannotDifferentiate = new(
        id: "FL1003",
        title: "Formula uses a construct the generator cannot differentiate",
        messageFormat: "'{0}' cannot be differentiated by the FastLoss generator: {1}. Supported: + - * /, unary minus, numeric literals, the method's parameters, MathF.Abs/Exp/Log/Sqrt/Max/Min/Tanh, ElementMath.Log1P/Sign/Sigmoid/XLogY/ClampMin/ClampMinNoGrad/Minimum/NormFromSquares/AbsPow/RootOf, Row.Sum in a row-wise loss, constants such as float.NaN, bool flags, comparisons, && || !, and ?:.",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL1003.md");

    public static readonly DiagnosticDescriptor NotStaticPartial = new(
        id: "FL1004",
        title: "Declaring type is not a static partial class",
        messageFormat: "'{0}' declares an elementwise function, so it must be a static partial class (not nested) for the generated kernels to join it",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL1004.md");

    public static readonly DiagnosticDescriptor BadExplicitDerivative = new(
        id: "FL1005",
        title: "Explicit derivative is missing or does not match the formula's parameters",
        messageFormat: "Derivative '{0}' of '{1}': {2}",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL1005.md");

    public static readonly DiagnosticDescriptor BadOptionCheck = new(
        id: "FL1006",
        title: "Option check is missing or does not take the formula's scalar options",
        messageFormat: "CheckOptions '{0}' of '{1}': {2}",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL1006.md");

    public static readonly DiagnosticDescriptor ScalarFallback = new(
        id: "FL2001",
        title: "Formula has no vector form; scalar code is generated",
        messageFormat: "'{0}' has no vector form, so '{1}' runs as a scalar loop; express it with vectorizable functions for SIMD speed",
        category: "FastLoss.Vectorization",
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL2001.md");

    public static readonly DiagnosticDescriptor UnclampedLogarithm = new(
        id: "FL3001",
        title: "Logarithm of an argument that can reach zero is not clamped",
        messageFormat: "'{0}' is -infinity when its argument reaches 0; clamp it as torch does (MathF.Max(MathF.Log(u), -100f)) or use ElementMath.Log1P of a non-negative argument",
        category: "FastLoss.Numerics",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL3001.md");

    public static readonly DiagnosticDescriptor HotPathAllocation = new(
        id: "FL4001",
        title: "Allocation in a hot path",
        messageFormat: "'{0}' is marked [HotPath] but allocates: {1}; plan the buffer once (in a method that runs when shapes change) and reuse it",
        category: "FastLoss.HotPath",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL4001.md");

    public static readonly DiagnosticDescriptor ClassLossNotStaticPartial = new(
        id: "FL5001",
        title: "Class-loss declaring type is not a static partial class",
        messageFormat: "'{0}' declares a class loss, so it must be a static partial class (not nested) for the generated entry points to join it",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL5001.md");

    public static readonly DiagnosticDescriptor ClassLossBadPass = new(
        id: "FL5002",
        title: "Class-loss pass type does not implement IClassLossPass",
        messageFormat: "The pass type '{0}' of '{1}' must implement IClassLossPass<TOptions, {0}>, which checks the options and builds each pass",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL5002.md");

    public static readonly DiagnosticDescriptor ClassLossMissingKernel = new(
        id: "FL5003",
        title: "Class-loss kernel type serves no target kind, or not the kinds the loss accepts",
        messageFormat: "Kernel type '{0}' of '{1}' {2}",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL5003.md");

    public static readonly DiagnosticDescriptor ClassLossBadKernel = new(
        id: "FL5004",
        title: "Class-loss kernel type cannot be called as declared",
        messageFormat: "Kernel type '{0}' of '{1}' {2}",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL5004.md");

    public static readonly DiagnosticDescriptor ClassLossBadGradient = new(
        id: "FL5005",
        title: "Class-loss gradient kernel does not fit the loss",
        messageFormat: "Kernel type '{0}' of '{1}' {2}",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL5005.md");

    public static readonly DiagnosticDescriptor ClassLossBadDeclaration = new(
        id: "FL5006",
        title: "Class-loss declaration has an invalid input name",
        messageFormat: "[ClassLoss] on '{0}': {1}",
        category: "FastLoss.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpRoot + "FL5006.md");
}
