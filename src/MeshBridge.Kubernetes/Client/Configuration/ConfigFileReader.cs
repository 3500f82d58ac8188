namespace MeshBridge.Kubernetes.Client.Configuration;

/// <summary>Reads the small files a configuration points at, turning I/O failures into a short reason.</summary>
internal static class ConfigFileReader
{
    /// <summary>Reads <paramref name="path"/>; on failure throws what <paramref name="error"/> builds from the reason.</summary>
    public static string ReadText(string path, Func<string, Exception?, KubeConfigException> error)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw error("file not found", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw error("permission denied", e);
        }
        catch (IOException e)
        {
            throw error(e.Message, e);
        }
    }

    /// <summary>
    /// A bearer token file's content. client-go's fileTokenSource trims surrounding whitespace (the kubelet writes no
    /// newline, hand-made files often have one) and refuses an empty file.
    /// </summary>
    public static string ReadToken(string path, Func<string, Exception?, KubeConfigException> error)
    {
        var token = ReadText(path, error).Trim();
        return token.Length > 0 ? token : throw error("the file is empty", null);
    }
}
