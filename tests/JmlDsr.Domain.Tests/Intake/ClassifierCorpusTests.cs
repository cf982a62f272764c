using System.Text;
using System.Text.Json;
using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Requests;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Domain.Tests.Intake;

/// <summary>
/// Measures the classifier on real request wording (Corpus/requests.json, sources in Corpus/SOURCES.md). The rules are tuned on
/// the dev split only; the held-out split shows how they hold on wording they were not tuned to. The floors sit a few points
/// below what the classifier reaches so a regression fails.
/// </summary>
public sealed class ClassifierCorpusTests(ITestOutputHelper output)
{
    private sealed record CorpusItem(string Id, string Source, string Label, string[]? AlsoMentioned, string Subject, string Body, string Split);

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private static List<CorpusItem> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Intake", "Corpus", "requests.json");
        return JsonSerializer.Deserialize<List<CorpusItem>>(File.ReadAllText(path), Json) ?? [];
    }

    [Fact]
    public void Corpus_CoversEveryLabel_InBothSplits()
    {
        var items = Load();
        Assert.True(items.Count >= 80, items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var type in Enum.GetValues<RequestType>())
        {
            Assert.Contains(items, i => i.Split == "dev" && RequestTypes.FromWire(i.Label) == type);
            Assert.Contains(items, i => i.Split == "heldout" && RequestTypes.FromWire(i.Label) == type);
        }

        Assert.All(items, i => Assert.True(RequestTypes.TryParseWire(i.Label, out _), i.Id));
        Assert.Equal(items.Count, items.Select(i => i.Id).Distinct().Count());
    }

    [Theory]
    [InlineData("dev", 0.92)]
    [InlineData("heldout", 0.88)]
    public void Classifier_ReachesItsFloor_OnEachSplit(string split, double floor)
    {
        var items = Load().Where(i => i.Split == split).ToList();
        var types = Enum.GetValues<RequestType>();
        var confusion = new int[types.Length, types.Length];
        var misses = new StringBuilder();
        var correct = 0;
        foreach (var item in items)
        {
            var expected = RequestTypes.FromWire(item.Label);
            var actual = RequestClassifier.Classify(item.Subject, item.Body);
            confusion[(int)expected, (int)actual.Type]++;
            if (actual.Type == expected)
            {
                correct++;
            }
            else
            {
                misses.Append("  ").Append(item.Id).Append(": expected ").Append(item.Label).Append(", got ").Append(actual.Type.ToWire())
                    .Append(" (").Append(actual.Reason).Append(')').AppendLine();
            }
        }

        var accuracy = (double)correct / items.Count;
        var report = new StringBuilder();
        report.Append(split).Append(": ").Append(correct).Append('/').Append(items.Count).Append(" = ")
            .Append(accuracy.ToString("P1", System.Globalization.CultureInfo.InvariantCulture)).AppendLine();
        report.AppendLine("confusion (rows expected, columns actual):");
        report.Append("".PadRight(15));
        foreach (var t in types)
        {
            report.Append(t.ToWire()[..Math.Min(5, t.ToWire().Length)].PadLeft(7));
        }

        report.AppendLine();
        foreach (var e in types)
        {
            report.Append(e.ToWire().PadRight(15));
            foreach (var a in types)
            {
                report.Append(confusion[(int)e, (int)a].ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(7));
            }

            report.AppendLine();
        }

        report.AppendLine("misclassified:").Append(misses);
        output.WriteLine(report.ToString());
        Assert.True(accuracy >= floor, report.ToString());
    }
}
