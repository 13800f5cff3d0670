namespace FastLoss.Generators.Model;

/// <summary>The outcome of reading one declaration: a spec to emit (null when an error stops it) and its diagnostics.</summary>
internal sealed record DeclarationResult(ElementwiseSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
