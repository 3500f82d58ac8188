namespace MeshBridge.Cli;

/// <summary>The three standard streams, passed in so tests run the real commands in process.</summary>
public sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error);
