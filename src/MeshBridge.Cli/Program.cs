using MeshBridge.Cli;

return CliApp.Run(args, new CliConsole(Console.In, Console.Out, Console.Error));
