using MeshBridge.Bench;

const string Usage = """
    MeshBridge benchmarks (dotnet run -c Release --project bench/MeshBridge.Bench -- MODE ...); figures go to bench/results.
      [inject] [N ...]      meshbridge inject over N generated VirtualServers (default 1000 10000) -> inject.md
      lab-writes [N]        the lab API server's create and guarded-patch throughput over N ConfigMaps (default 2000) -> lab-writes.md
      certificates [N]      CSR, one istio-ca issuance against the lab CA, one SDS push from the lab SDS server; N each (default 200) -> certificates.md
    """;

return args.FirstOrDefault() switch
{
    "lab-writes" => await LabWriteBenchmark.RunAsync(args[1..]),
    "scenario" => await ScenarioBenchmark.RunAsync(args[1..]),
    "certificates" => await CertificateBenchmark.RunAsync(args[1..]),
    "inject" => InjectBenchmark.Run(args[1..]),
    "help" or "--help" or "-h" => Help(),
    _ => InjectBenchmark.Run(args),
};

static int Help()
{
    Console.WriteLine(Usage);
    Console.WriteLine("  " + ScenarioOptions.Usage.Replace("\n", "\n  ", StringComparison.Ordinal));
    return 0;
}
