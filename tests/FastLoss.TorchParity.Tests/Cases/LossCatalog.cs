namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>Every elementwise loss with its default options, by torch.nn name, for tests that cover them all.</summary>
internal static class LossCatalog
{
    public static readonly IReadOnlyDictionary<string, ElementwiseLossCase> ByName = new Dictionary<string, ElementwiseLossCase>
    {
        ["L1Loss"] = new L1Case(),
        ["MSELoss"] = new MseCase(),
        ["SmoothL1Loss"] = new SmoothL1Case(1f),
        ["HuberLoss"] = new HuberCase(1f),
        ["BCELoss"] = new BceCase(weighted: false),
        ["BCEWithLogitsLoss"] = new BceWithLogitsCase(weighted: false, posWeighted: false),
        ["KLDivLoss"] = new KLDivCase(logTarget: false),
        ["PoissonNLLLoss"] = new PoissonNllCase(logInput: true, full: false),
        ["SoftMarginLoss"] = new SoftMarginCase(),
        ["HingeEmbeddingLoss"] = new HingeEmbeddingCase(1f),
    };

    /// <summary>
    /// The losses whose torch composite multiplies the target by the input first, so torch's broadcasting message
    /// names the target's size as tensor a (the span kernels name the input's first).
    /// </summary>
    public static bool BroadcastsTargetFirst(string name) => name is "KLDivLoss" or "PoissonNLLLoss" or "HingeEmbeddingLoss";

    /// <summary>The losses whose torch functions check shapes themselves and word the error (the others fail on broadcasting).</summary>
    public static bool ChecksShapes(string name) => name is "BCELoss" or "BCEWithLogitsLoss";
}
