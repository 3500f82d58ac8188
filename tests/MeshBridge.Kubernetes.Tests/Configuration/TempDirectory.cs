namespace MeshBridge.Kubernetes.Tests.Configuration;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("meshbridge-config-").FullName;
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> to a file below this directory (creating folders) and returns its full path.</summary>
    public string Write(string relativePath, string text)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    /// <summary>Writes an executable shell script.</summary>
    public string WriteScript(string relativePath, string script)
    {
        var full = Write(relativePath, script);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("exec plugin tests run shell scripts");
        }

        File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return full;
    }

    public string Combine(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A plugin process may still hold a file open for a moment; the OS cleans temp eventually.
        }
    }
}
