using System.Buffers.Binary;
using System.Xml.Linq;
using FastLoss.Tests.Shared;
using Xunit.Abstractions;

namespace FastLoss.Package.Tests;

/// <summary>The fastloss tool's packages: one per platform with that platform's native libraries only, installable from the feed.</summary>
[Collection(PackageTestGroup.Name)]
public sealed class ToolPackageTests(PackageWorkspace workspace, ITestOutputHelper output)
{
    /// <summary>The platforms the tool is packed for, and the ELF machine of their native libraries (x86-64, AArch64).</summary>
    private static readonly Dictionary<string, ushort> s_platforms = new() { ["linux-x64"] = 62, ["linux-arm64"] = 183 };

    /// <summary>Each platform's package holds the managed tool and these native libraries; a package for every platform held 188 MB.</summary>
    private const long MaximumPlatformPackageSize = 20 * 1024 * 1024;

    [Fact]
    public void The_tool_package_points_at_one_package_per_platform()
    {
        NuGetPackage pointer = workspace.ToolPackages.Single(p => p.Id == "FastLoss.Cli");
        Assert.Equal(["README.md", "tools/any/any/DotnetToolSettings.xml"], pointer.ContentFiles);
        Assert.Equal(File.ReadAllBytes(Path.Combine(workspace.Repository, "docs", "tool-readme.md")), pointer.Read("README.md"));
        var settings = XDocument.Load(new MemoryStream(pointer.Read("tools/any/any/DotnetToolSettings.xml")));
        var platforms = settings.Descendants("RuntimeIdentifierPackage")
            .ToDictionary(p => p.Attribute("RuntimeIdentifier")!.Value, p => p.Attribute("Id")!.Value);
        Assert.Equal(s_platforms.Keys.Order(), platforms.Keys.Order());
        Assert.All(platforms, p => Assert.Equal("FastLoss.Cli." + p.Key, p.Value));
        Assert.Equal(
            [.. platforms.Values.Append(pointer.Id).Order()],
            workspace.ToolPackages.Select(p => p.Id).Order());
        Assert.All(workspace.ToolPackages, p => Assert.Equal(workspace.VersionPrefix, p.Version));
        Assert.Equal(["fastloss"], settings.Descendants("Command").Select(c => c.Attribute("Name")!.Value));
    }

    [Fact]
    public void Each_platform_package_carries_only_its_own_native_libraries()
    {
        foreach (var (platform, machine) in s_platforms)
        {
            NuGetPackage package = workspace.ToolPackages.Single(p => p.Id == "FastLoss.Cli." + platform);
            output.WriteLine($"{package.Id}: {package.Size / 1e6:F1} MB packed, {package.Entries.Values.Sum() / 1e6:F1} MB of files");
            string folder = $"tools/net10.0/{platform}/";
            Assert.All(package.ContentFiles.Where(f => f != "README.md"), f => Assert.StartsWith(folder, f, StringComparison.Ordinal));
            var natives = package.ContentFiles.Where(f => f.EndsWith(".so", StringComparison.Ordinal) || f.EndsWith(".dylib", StringComparison.Ordinal) || f.Contains("/runtimes/", StringComparison.Ordinal));
            Assert.Equal([folder + "libHarfBuzzSharp.so", folder + "libSkiaSharp.so"], natives);
            foreach (string native in natives)
            {
                byte[] header = package.Read(native)[..20];
                Assert.Equal("\x7f" + "ELF", System.Text.Encoding.ASCII.GetString(header, 0, 4));
                Assert.True(BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18)) == machine, $"{native} in {package.Id} is not for {platform}");
            }

            Assert.True(package.Size < MaximumPlatformPackageSize, $"{package.Id} is {package.Size} bytes");
        }
    }

    [Fact]
    public void The_tool_installs_from_the_feed_and_draws_a_loss_curve()
    {
        string fastloss = workspace.InstalledTool;
        string version = ChildProcess.Run(fastloss, ["--version"], workspace.Root).Succeeded().Output;
        Assert.StartsWith(workspace.VersionPrefix, version, StringComparison.Ordinal);

        string help = ChildProcess.Run(fastloss, ["--help"], workspace.Root).Succeeded().Output;
        Assert.All(new[] { "train", "evaluate", "predict", "plot" }, command => Assert.Contains($"  {command} ", help, StringComparison.Ordinal));

        // Drawing text and lines loads the native SkiaSharp and HarfBuzz libraries of the installed package.
        string folder = Directory.CreateDirectory(Path.Combine(workspace.Root, "plot")).FullName;
        File.WriteAllText(Path.Combine(folder, "losses.csv"), "step,loss\n1,2.30\n2,2.10\n3,1.95\n");
        ChildProcess.Run(fastloss, ["plot", "losses.csv", "curve.png"], folder).Succeeded();
        Assert.Equal((800, 500), PngHeader.Read(Path.Combine(folder, "curve.png")));
    }
}
