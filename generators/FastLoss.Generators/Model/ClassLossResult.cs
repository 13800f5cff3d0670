namespace FastLoss.Generators.Model;

/// <summary>The outcome of reading one class-loss declaration: a spec to emit (null when an error stops it) and its diagnostics.</summary>
internal sealed record ClassLossResult(ClassLossSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
