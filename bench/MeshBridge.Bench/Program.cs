using MeshBridge.Bench;

return InjectBenchmark.Run(args);
