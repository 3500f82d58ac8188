using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MeshBridge.Controller.Tests.DataPath;

/// <summary>
/// A real nginx (Debian <c>nginx-light</c>) run as a child in its own prefix directory: <c>-p &lt;dir&gt; -c
/// nginx.conf -e error.log -g 'daemon off;'</c>. Files are written as NIC writes them (Secret files 0600) and
/// <see cref="ApplyAsync"/> reloads with <c>nginx -s reload</c>, as NIC does when a Secret changes. Disposing kills it
/// and removes the directory.
/// </summary>
internal sealed class NginxProcess : IAsyncDisposable
{
    public const string Need = "nginx with the http_ssl module (Debian/Ubuntu: apt-get update && apt-get install -y nginx-light)";

    private readonly string binary;
    private Process? master;
    private int reloads;

    private NginxProcess(string binary, DirectoryInfo directory)
    {
        this.binary = binary;
        Directory = directory.FullName;
        SecretDirectory = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "secrets")).FullName;
        Port = FreePort();
    }

    /// <summary>The prefix directory: nginx.conf, logs, pid file, temp files.</summary>
    public string Directory { get; }

    /// <summary>NIC's <c>/etc/nginx/secrets</c>.</summary>
    public string SecretDirectory { get; }

    /// <summary>The loopback port the rendered server listens on.</summary>
    public int Port { get; }

    public string ConfigPath => Path.Combine(Directory, "nginx.conf");

    public string ErrorLogPath => Path.Combine(Directory, "error.log");

    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>The configuration in effect (as last applied).</summary>
    public NicRendering? Applied { get; private set; }

    /// <summary>How many times nginx was told to reload.</summary>
    public int Reloads => reloads;

    /// <summary>A prefix directory and a free port; fails with how to install nginx when it is missing.</summary>
    public static NginxProcess Create()
    {
        var binary = Find() ?? throw new InvalidOperationException($"nginx was not found on PATH or in /usr/sbin. The data-path tests need {Need}.");
        return new NginxProcess(binary, System.IO.Directory.CreateTempSubdirectory("meshbridge-nginx-"));
    }

    /// <summary>Writes the rendering's files and config; starts nginx the first time, reloads it after (when anything changed).</summary>
    public async Task ApplyAsync(NicRendering rendering)
    {
        if (master is not null && Applied is not null && Same(Applied, rendering))
        {
            return;
        }

        foreach (var (path, content) in rendering.SecretFiles)
        {
            // NIC writes Secret files 0600 (nginx.TLSSecretFileMode), replacing them whole.
            var temp = path + ".tmp";
            File.WriteAllText(temp, content);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            File.Move(temp, path, overwrite: true);
        }

        await File.WriteAllTextAsync(ConfigPath, rendering.Config);
        var (code, _, stderr) = await RunAsync("-t");
        if (code != 0)
        {
            throw new InvalidOperationException($"nginx -t rejected the rendered configuration:\n{stderr}\n{rendering.Config}");
        }

        if (master is null)
        {
            master = ChildProcess.Start(binary, Directory, ["-p", Directory, "-c", ConfigPath, "-e", ErrorLogPath, "-g", "daemon off;"], Need);
            await WaitListeningAsync();
        }
        else
        {
            (code, _, stderr) = await RunAsync("-s", "reload");
            if (code != 0)
            {
                throw new InvalidOperationException($"nginx -s reload failed ({code}):\n{stderr}");
            }

            Interlocked.Increment(ref reloads);
        }

        Applied = rendering;
    }

    /// <summary>The error log so far (for failure messages; it never holds key material).</summary>
    public string ErrorLog() => File.Exists(ErrorLogPath) ? File.ReadAllText(ErrorLogPath) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.StopAsync(master);
        master = null;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A worker still exiting; the temp directory is left for the OS.
        }
    }

    private static bool Same(NicRendering a, NicRendering b) =>
        a.Config == b.Config && a.SecretFiles.Count == b.SecretFiles.Count &&
        a.SecretFiles.All(f => b.SecretFiles.TryGetValue(f.Key, out var other) && other == f.Value);

    private Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments) =>
        ChildProcess.RunAsync(binary, Directory, ["-p", Directory, "-c", ConfigPath, "-e", ErrorLogPath, .. arguments], Need, TimeSpan.FromSeconds(30));

    private async Task WaitListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (master!.HasExited)
            {
                throw new InvalidOperationException($"nginx exited ({master.ExitCode}) at start:\n{ErrorLog()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(25);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Find()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin");
        return path.Select(d => Path.Combine(d, "nginx")).FirstOrDefault(File.Exists);
    }
}
