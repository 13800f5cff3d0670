namespace FastLoss.Package.Tests;

/// <summary>A source file of a consumer project.</summary>
internal sealed record SourceFile(string Name, string Text);

/// <summary>
/// A project of the package's user, as <c>dotnet new console</c> makes it (or a class library), with a
/// PackageReference to FastLoss and warnings as errors.
/// </summary>
internal sealed record ConsumerProject(string Name, IReadOnlyList<SourceFile> Sources, bool IsProgram = true)
{
    public void Write(string folder, string fastLossVersion)
    {
        string directory = Directory.CreateDirectory(Path.Combine(folder, Name)).FullName;
        File.WriteAllText(Path.Combine(directory, Name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>{(IsProgram ? "Exe" : "Library")}</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="FastLoss" Version="{fastLossVersion}" />
              </ItemGroup>
            </Project>
            """);
        foreach (SourceFile source in Sources)
        {
            File.WriteAllText(Path.Combine(directory, source.Name), source.Text);
        }
    }
}
