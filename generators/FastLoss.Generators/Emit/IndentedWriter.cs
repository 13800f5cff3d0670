using System.Text;

namespace FastLoss.Generators.Emit;

/// <summary>A text builder that keeps the indentation of generated code, so the output reads like hand-written C#.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _depth * 4);
        }

        _text.Append(line).Append('\n');
    }

    public void Open(string line)
    {
        Line(line);
        Line("{");
        _depth++;
    }

    public void Open()
    {
        Line("{");
        _depth++;
    }

    public void Close(string suffix = "")
    {
        _depth--;
        Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
