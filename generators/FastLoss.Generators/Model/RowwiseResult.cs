namespace FastLoss.Generators.Model;

/// <summary>The outcome of reading one row-wise declaration: a spec to emit (null when an error stops it) and its diagnostics.</summary>
internal sealed record RowwiseResult(RowwiseSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
