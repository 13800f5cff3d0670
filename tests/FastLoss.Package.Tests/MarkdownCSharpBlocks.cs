using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FastLoss.Package.Tests;

/// <summary>A C# code block of a markdown file: where it starts, the heading it is under, and its code.</summary>
internal sealed record CSharpBlock(string File, int Line, string Heading, string Code)
{
    /// <summary>A program (top-level statements) rather than declarations only.</summary>
    public bool IsProgram => CSharpSyntaxTree.ParseText(Code).GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();

    /// <summary>A file name that tells where the block comes from, so a compiler error points at the markdown.</summary>
    public string SourceFileName => $"{Path.GetFileName(File)}.line{Line}.cs";

    public override string ToString() => $"{File} line {Line} (under '{Heading}')";
}

internal static class MarkdownCSharpBlocks
{
    private static readonly string[] s_languages = ["csharp", "cs", "c#"];

    /// <summary>The file's fenced C# blocks, in order. <paramref name="file"/> is the name they are reported under.</summary>
    public static IReadOnlyList<CSharpBlock> Read(string path, string file)
    {
        var blocks = new List<CSharpBlock>();
        string[] lines = File.ReadAllLines(path);
        string heading = "";
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.StartsWith('#'))
            {
                heading = line.TrimStart('#').Trim();
            }
            else if (line.StartsWith("```", StringComparison.Ordinal))
            {
                string language = line[3..].Trim();
                int end = Array.FindIndex(lines, i + 1, l => l.StartsWith("```", StringComparison.Ordinal));
                Assert.True(end > i, $"{file} line {i + 1}: a code block that is never closed");
                if (s_languages.Contains(language, StringComparer.OrdinalIgnoreCase))
                {
                    string code = string.Join('\n', lines[(i + 1)..end]) + "\n";
                    blocks.Add(new CSharpBlock(file, i + 2, heading, code));
                }

                i = end;
            }
        }

        return blocks;
    }
}
