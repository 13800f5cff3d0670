using FastLoss.NN;

namespace FastLoss.Tests.TestSupport;

/// <summary>
/// The second seed's demo1 network exactly as it is written: three Linear layers and ONE Sigmoid instance
/// (<c>self.activation</c>) applied after each of them, xavier_normal_ weights and a shared scalar bias of 5.5 per layer.
/// </summary>
internal sealed class SeedMlp : Module
{
    public SeedMlp(Generator generator)
    {
        Linear1 = Register("linear1", new Linear(4, 3));
        Linear2 = Register("linear2", new Linear(3, 2));
        Linear3 = Register("linear3", new Linear(2, 1));
        Activation = Register("activation", new Sigmoid());
        foreach (Linear layer in (Linear[])[Linear1, Linear2, Linear3])
        {
            Init.XavierNormal(layer.Weight, generator: generator);
            layer.SetScalarBias(5.5f);
        }
    }

    public Linear Linear1 { get; }

    public Linear Linear2 { get; }

    public Linear Linear3 { get; }

    public Sigmoid Activation { get; }

    protected override Tensor ForwardCore(Tensor input)
    {
        Tensor x = Linear1.Forward(input);
        x = Activation.Forward(x);
        x = Linear2.Forward(x);
        x = Activation.Forward(x);
        x = Linear3.Forward(x);
        x = Activation.Forward(x);
        return x;
    }
}
