namespace MeshBridge.Controller.Operations;

/// <summary>A metric family: one name, help text, type and label names, and the series under it.</summary>
public abstract class Metric
{
    private protected Metric(string name, string help, string type, IReadOnlyList<string> labelNames, IReadOnlyCollection<string> reservedLabels)
    {
        PrometheusText.ValidateMetricName(name);
        ArgumentNullException.ThrowIfNull(help);
        ArgumentNullException.ThrowIfNull(labelNames);
        foreach (var label in labelNames)
        {
            PrometheusText.ValidateLabelName(label, reservedLabels);
        }

        if (labelNames.Distinct(StringComparer.Ordinal).Count() != labelNames.Count)
        {
            throw new ArgumentException($"metric {name} names a label twice", nameof(labelNames));
        }

        Name = name;
        Help = help;
        Type = type;
        LabelNames = [.. labelNames];
    }

    public string Name { get; }

    public string Help { get; }

    /// <summary>The <c># TYPE</c> word: <c>counter</c>, <c>gauge</c> or <c>histogram</c>.</summary>
    public string Type { get; }

    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>Writes <c># HELP</c>, <c># TYPE</c> and every series; nothing for a labelled family with no series yet, as client_golang does.</summary>
    internal void WriteTo(TextWriter writer)
    {
        if (!HasSeries)
        {
            return;
        }

        writer.Write("# HELP ");
        writer.Write(Name);
        writer.Write(' ');
        writer.Write(PrometheusText.EscapeHelp(Help));
        writer.Write("\n# TYPE ");
        writer.Write(Name);
        writer.Write(' ');
        writer.Write(Type);
        writer.Write('\n');
        WriteSamples(writer);
    }

    private protected abstract bool HasSeries { get; }

    private protected abstract void WriteSamples(TextWriter writer);
}
