using FastLoss.Data;

namespace FastLoss.Tests.Data;

/// <summary>ToTensor, Normalize and Compose: torch's float32 arithmetic and torch's errors.</summary>
public sealed class TransformTests
{
    [Fact]
    public void ToTensor_divides_by_255_in_float32()
    {
        var toTensor = new ToTensor();
        for (int v = 0; v < 256; v++)
        {
            // Tolerance 0: torch divides (img.float().div(255)); a multiplication by 1/255 differs in the last bit for some v.
            Assert.Equal(v / 255f, toTensor.Apply(0, v));
            Assert.True(Math.Abs(toTensor.Apply(2, v) - (v / 255.0)) <= 6e-8, $"v = {v}");
        }

        Assert.Equal(0f, toTensor.Apply(0, 0));
        Assert.Equal(1f, toTensor.Apply(1, 255));
    }

    [Fact]
    public void Normalize_subtracts_then_divides_per_channel()
    {
        var normalize = new Normalize([0.5f, 0.25f, 0f], [0.5f, 2f, 0.1f]);

        Assert.Equal(1f, normalize.Apply(0, 1f));
        Assert.Equal((0.75f - 0.25f) / 2f, normalize.Apply(1, 0.75f));
        Assert.Equal(0.3f / 0.1f, normalize.Apply(2, 0.3f));
    }

    [Fact]
    public void Normalize_with_one_value_applies_it_to_every_channel()
    {
        var normalize = new Normalize([0.5f], [0.5f]);
        normalize.Validate(3);

        Assert.Equal(-1f, normalize.Apply(0, 0f));
        Assert.Equal(1f, normalize.Apply(2, 1f));
    }

    [Fact]
    public void Compose_applies_in_order()
    {
        var normalizeThenScale = new Compose(new ToTensor(), new Normalize([0.5f], [0.5f]));
        var scaleAfter = new Compose(new Normalize([0.5f], [0.5f]), new ToTensor());

        Assert.Equal(((255f / 255f) - 0.5f) / 0.5f, normalizeThenScale.Apply(1, 255f));
        Assert.Equal(((255f - 0.5f) / 0.5f) / 255f, scaleAfter.Apply(1, 255f));
        Assert.Equal(17f, new Compose().Apply(0, 17f));
        Assert.Equal(2, normalizeThenScale.Transforms.Count);
    }

    [Fact]
    public void Zero_std_and_mismatched_channels_get_torchs_messages()
    {
        var zero = Assert.Throws<ArgumentException>(() => new Normalize([0.5f, 0.5f], [1f, 0f]));
        var mismatch = Assert.Throws<ArgumentException>(() => new Normalize([0.1f, 0.2f], [1f]).Validate(3));

        Assert.Contains("std evaluated to zero after conversion to torch.float32, leading to division by zero.", zero.Message, StringComparison.Ordinal);
        Assert.Contains("The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0",
            mismatch.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Compose(new ToTensor(), null!));
    }
}
