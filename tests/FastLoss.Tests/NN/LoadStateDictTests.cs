using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Serialization;
using FastLoss.Tests.Shared;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.NN;

/// <summary>load_state_dict with torch's checks and wording; values copied into the existing parameters.</summary>
public sealed class LoadStateDictTests
{
    [Fact]
    public void Loading_copies_into_the_same_tensors_so_an_optimizer_built_before_keeps_working()
    {
        var model = Cifar10Cnn.Create(new Generator(1));
        var source = Cifar10Cnn.Create(new Generator(2));
        var before = model.Parameters();
        var optimizer = new SGD(model.Parameters(), lr: 0.1f);
        var result = model.LoadStateDict(source.StateDict());
        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Same(before[i], model.Parameters()[i]);
            Assert.Equal(source.Parameters()[i].ToArray(), before[i].ToArray());
        }

        before[0].Grad = Tensor.Zeros(before[0].Shape.ToArray());
        before[0].Grad!.Span.Fill(1f);
        optimizer.Step();
        Assert.Equal(source.Parameters()[0].Values[0] - 0.1f, before[0].Values[0]);
    }

    [Fact]
    public void Missing_unexpected_and_mismatched_keys_are_refused_in_torchs_words_and_nothing_is_copied()
    {
        var model = new Sequential(new Linear(3, 2), new Linear(2, 1));
        float[][] original = model.Parameters().Select(p => p.ToArray()).ToArray();
        var state = new Dictionary<string, Tensor>
        {
            ["0.weight"] = Tensor.Zeros(2, 3),
            ["0.bias"] = Tensor.Zeros(3),
            ["1.weight"] = Tensor.Zeros(1, 2),
            ["extra"] = Tensor.Zeros(1),
        };

        var error = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state));
        Assert.StartsWith(
            "Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: \"1.bias\". \n\tUnexpected key(s) in state_dict: \"extra\". \n\t" +
            "size mismatch for 0.bias: copying a param with shape torch.Size([3]) from checkpoint, the shape in current model is torch.Size([2]).",
            error.Message);
        for (int i = 0; i < original.Length; i++)
        {
            Assert.Equal(original[i], model.Parameters()[i].ToArray());
        }

        // Without strict, missing and unexpected keys are reported, a size mismatch is still refused.
        Assert.Throws<ArgumentException>(() => model.LoadStateDict(state, strict: false));
        state["0.bias"] = Tensor.FromValues([4f, 5f]);
        var result = model.LoadStateDict(state, strict: false);
        Assert.Equal(["1.bias"], result.MissingKeys);
        Assert.Equal(["extra"], result.UnexpectedKeys);
        Assert.Equal([4f, 5f], model.Parameters()[1].ToArray());
        Assert.Equal(original[3], model.Parameters()[3].ToArray());
    }

    [Fact]
    public void A_safetensors_file_loads_and_a_refused_one_names_the_file()
    {
        using var folder = new TempFolder();
        var source = Cifar10Cnn.Create(new Generator(3));
        string path = Path.Combine(folder.Path, "model.safetensors");
        SafeTensors.Save(path, source.StateDict());
        var model = Cifar10Cnn.Create(new Generator(4));
        model.LoadStateDict(path);
        Assert.Equal(source.Parameters()[4].ToArray(), model.Parameters()[4].ToArray());

        var error = Assert.Throws<InvalidDataException>(() => new Sequential(new Flatten(), new Linear(2, 2)).LoadStateDict(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("Missing key(s) in state_dict: \"1.weight\", \"1.bias\".", error.Message);
    }
}
