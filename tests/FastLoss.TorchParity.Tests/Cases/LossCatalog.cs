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
    };

    /// <summary>The losses whose torch functions check shapes themselves and word the error (the others fail on broadcasting).</summary>
    public static bool ChecksShapes(string name) => name is "BCELoss" or "BCEWithLogitsLoss";
}
