using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Layers;

/// <summary>
/// ReLU, Sigmoid and Tanh at special values (±0, subnormals, float's largest values, infinities, NaN) against
/// libtorch: outputs and input gradients through the modules, and through the span functions. torch's ReLU passes
/// the gradient at NaN (its backward tests the output, NaN &lt;= 0 is false) and gives 0 at ±0.
/// Tolerance: relative 2e-6 for values, 1e-5 for gradients, absolute 1e-7.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class ActivationSpecialValueParityTests
{
    private static readonly float[] Specials =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, 1e-39f, -3e-39f, 1.17549435e-38f, 1e-20f, 0.5f, -1f, 1f, 3f, -7.25f, 9f, -9f, 20f, -20f,
        88f, -88f, 104f, -104f, 1e20f, -1e20f, 3e38f, -3e38f, float.MaxValue, -float.MaxValue,
        float.PositiveInfinity, float.NegativeInfinity, float.NaN,
    ];

    public static TheoryData<string> Names() => ["relu", "sigmoid", "tanh"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Special_values_give_torchs_outputs_and_gradients(string name)
    {
        float[] upstream = new ParityData(5).Uniform(Specials.Length, -2f, 2f);
        float[] torchOutput, torchGradient;
        using (torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(Specials, [Specials.Length], requiresGrad: true);
            torch.Tensor y = name switch
            {
                "relu" => torch.nn.functional.relu(x),
                "sigmoid" => torch.sigmoid(x),
                _ => torch.tanh(x),
            };
            y.backward([TorchConvert.ToTorch(upstream, [Specials.Length])]);
            torchOutput = TorchConvert.ToArray(y);
            torchGradient = TorchConvert.ToArray(x.grad!);
        }

        var input = Tensor.FromValues(Specials, Specials.Length);
        input.RequiresGrad = true;
        Module module = name switch
        {
            "relu" => new ReLU(),
            "sigmoid" => new Sigmoid(),
            _ => new Tanh(),
        };
        Tensor output = module.Forward(input);
        Closeness.AssertClose(torchOutput, output.Span, 2e-6, 1e-7, $"{name} module output");
        output.Backward(Tensor.FromValues(upstream, Specials.Length));
        Closeness.AssertClose(torchGradient, input.Grad!.Span, 1e-5, 1e-7, $"{name} module gradient");

        float[] spanOutput = new float[Specials.Length];
        float[] spanGradient = new float[Specials.Length];
        switch (name)
        {
            case "relu":
                ReluActivation.Forward(Specials, spanOutput);
                ReluActivation.Gradient(Specials, upstream, spanGradient);
                break;
            case "sigmoid":
                SigmoidActivation.Forward(Specials, spanOutput);
                SigmoidActivation.Gradient(Specials, upstream, spanGradient);
                break;
            default:
                TanhActivation.Forward(Specials, spanOutput);
                TanhActivation.Gradient(Specials, upstream, spanGradient);
                break;
        }

        Closeness.AssertClose(torchOutput, spanOutput, 2e-6, 1e-7, $"{name} span output");
        Closeness.AssertClose(torchGradient, spanGradient, 1e-5, 1e-7, $"{name} span gradient");
    }
}
