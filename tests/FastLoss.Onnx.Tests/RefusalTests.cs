using FastLoss.NN;
using FastLoss.Serialization;
using FastLoss.Tests.Shared;

namespace FastLoss.OnnxTests;

/// <summary>
/// What cannot be exported is refused before anything is written, by the module's index in the Sequential and its
/// type: a module without an ONNX form (a loss, a module of the user's own, also inside a nested Sequential), an
/// input shape that gives a layer no batch dimension, a Flatten that merges the batch, a shape the model itself
/// refuses. The folder is left as it was: no file, no temporary, an existing file unchanged.
/// </summary>
public sealed class RefusalTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A module of the user's own: its forward function has no ONNX counterpart.</summary>
    private sealed class Doubling : Module
    {
        protected override Tensor ForwardCore(Tensor input) => input * 2f;
    }

    private string ModelPath => _folder.Combine("model.onnx");

    private T Refused<T>(Sequential model, int[] inputShape)
        where T : Exception
    {
        T exception = Assert.Throws<T>(() => Onnx.Export(model, ModelPath, inputShape));
        Assert.Empty(_folder.Listing());
        return exception;
    }

    [Fact]
    public void Module_without_an_ONNX_form_is_refused_by_index_and_type()
    {
        var user = Refused<NotSupportedException>(new Sequential(new Linear(4, 4), new ReLU(), new Doubling()), [1, 4]);
        Assert.Contains("Sequential module 2 (Doubling) has no ONNX form", user.Message, StringComparison.Ordinal);

        var loss = Refused<NotSupportedException>(new Sequential(new Linear(4, 4), new MSELoss()), [1, 4]);
        Assert.Contains("Sequential module 1 (MSELoss) has no ONNX form", loss.Message, StringComparison.Ordinal);

        var nested = Refused<NotSupportedException>(new Sequential(new Linear(4, 4), new Sequential(new Tanh(), new Doubling())), [1, 4]);
        Assert.Contains("Sequential module 1.1 (Doubling) has no ONNX form", nested.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_shape_without_a_batch_dimension_is_refused_at_the_layer_it_reaches()
    {
        var exception = Refused<ArgumentException>(Cifar10Cnn.Create(new Generator(1)), [3, 32, 32]);
        Assert.Equal("inputShape", exception.ParamName);
        Assert.Contains("Sequential module 0 (Conv2d) gets input [3, 32, 32]; it is exported for batched input (N, C, H, W)", exception.Message, StringComparison.Ordinal);

        var linear = Refused<ArgumentException>(new Sequential(new ReLU(), new Linear(4, 2)), [2, 3, 4]);
        Assert.Contains("Sequential module 1 (Linear) gets input [2, 3, 4]; it is exported for batched input (N, features)", linear.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flatten_that_merges_the_batch_is_refused()
    {
        var exception = Refused<ArgumentException>(new Sequential(new ReLU(), new Flatten(0)), [2, 3]);
        Assert.Contains("Sequential module 1 (Flatten) merges the batch dimension (start_dim 0)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shape_the_model_refuses_is_refused_with_the_models_message_and_the_modules_index()
    {
        var exception = Refused<ArgumentException>(Cifar10Cnn.Create(new Generator(1)), [1, 4, 32, 32]);
        Assert.Contains("to have 3 channels, but got 4 channels instead (in Sequential module 0, Conv2d)", exception.Message, StringComparison.Ordinal);

        Refused<ArgumentException>(Cifar10Cnn.Create(new Generator(1)), [1, 3, 0, 32]);
        Refused<ArgumentException>(Cifar10Cnn.Create(new Generator(1)), []);
        Refused<ArgumentException>(new Sequential(), [1, 4]);
    }

    [Fact]
    public void Refused_export_leaves_an_existing_file_as_it_was()
    {
        File.WriteAllText(ModelPath, "the previous model");
        Assert.Throws<NotSupportedException>(() => Onnx.Export(new Sequential(new Doubling()), ModelPath, [1, 4]));
        Assert.Equal("the previous model", File.ReadAllText(ModelPath));
        Assert.Equal(["model.onnx"], _folder.Listing());
    }

    [Fact]
    public void Export_that_fails_while_placing_the_file_leaves_no_temporary()
    {
        Directory.CreateDirectory(ModelPath); // the rename over a folder fails
        Exception exception = Record.Exception(() => Onnx.Export(new Sequential(new ReLU()), ModelPath, [1, 4]));
        Assert.True(exception is IOException or UnauthorizedAccessException, $"{exception?.GetType().Name}: {exception?.Message}");
        Assert.Equal(["model.onnx"], _folder.Listing());
    }
}
