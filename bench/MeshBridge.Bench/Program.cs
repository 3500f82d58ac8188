using MeshBridge.Bench;

return args.FirstOrDefault() switch
{
    "lab-writes" => await LabWriteBenchmark.RunAsync(args[1..]),
    "controller-converge" => await ConvergeBenchmark.RunAsync(args[1..]),
    "inject" => InjectBenchmark.Run(args[1..]),
    _ => InjectBenchmark.Run(args),
};
