namespace FastLoss.Package.Tests;

/// <summary>
/// The C# blocks of the README and of the package's readme as consumer projects: each program block (top-level
/// statements) in a project of its own, and a file's declaration blocks beside its first program (in a library when
/// it has none). A block that an earlier file already has, character for character, is compiled once.
/// </summary>
internal static class ReadmeProjects
{
    /// <summary>The readmes, from the repository's folder: the README, then the one packed as the package's.</summary>
    public static readonly string[] Files = ["README.md", "docs/package-readme.md"];

    public static IReadOnlyList<CSharpBlock> Blocks(string repository, string file) =>
        MarkdownCSharpBlocks.Read(Path.Combine(repository, file), file);

    /// <summary>The project that runs a program block.</summary>
    public static string ProjectOf(CSharpBlock program) => $"{Path.GetFileNameWithoutExtension(program.File)}-line{program.Line}";

    public static IReadOnlyList<ConsumerProject> Create(string repository)
    {
        var projects = new List<ConsumerProject>();
        var compiled = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in Files)
        {
            var blocks = Blocks(repository, file).Where(b => compiled.Add(b.Code)).ToList();
            var programs = blocks.Where(b => b.IsProgram).ToList();
            var declarations = blocks.Where(b => !b.IsProgram).Select(Source).ToList();
            for (int i = 0; i < programs.Count; i++)
            {
                projects.Add(new ConsumerProject(ProjectOf(programs[i]), [Source(programs[i]), .. i == 0 ? declarations : []]));
            }

            if (programs.Count == 0 && declarations.Count > 0)
            {
                projects.Add(new ConsumerProject($"{Path.GetFileNameWithoutExtension(file)}-declarations", declarations, IsProgram: false));
            }
        }

        return projects;
    }

    private static SourceFile Source(CSharpBlock block) => new(block.SourceFileName, block.Code);
}
