using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;

namespace JmlDsr.Local.Tests;

/// <summary>Where a piece of stored text was read: a table entity's property, a blob (its content, name or metadata), or a queue message.</summary>
/// <param name="Kind"><c>table</c>, <c>blob</c> or <c>queue</c>.</param>
/// <param name="Store">The table, container or queue.</param>
/// <param name="Item">The entity (<c>PK / RK</c>), the blob name or the message id.</param>
/// <param name="Property">The property (<c>PartitionKey</c> and <c>RowKey</c> included), or for blobs <c>(content)</c>, <c>(name)</c>, <c>metadata:…</c>; for messages <c>(text)</c>.</param>
public sealed record StorageLocation(string Kind, string Store, string Item, string Property)
{
    public override string ToString() => $"{Kind} {Store} | {Item} | {Property}";
}

/// <summary>One needle found: where, in which form (plain, json-escaped, url-encoded, html, base64…), and a little of the text around it.</summary>
public sealed record StorageHit(string Needle, StorageLocation Where, string Form, string Excerpt)
{
    public override string ToString() => $"'{Needle}' in {Where} [{Form}]: …{Excerpt}…";
}

/// <summary>One piece of text read from the account (already decompressed and decoded to a string).</summary>
public sealed record StoredText(StorageLocation Where, string Text);

/// <summary>
/// Everything one storage account held when it was read, as text, and what could not be read completely
/// (a queue holding more messages than a peek shows, a blob that is not text).
/// </summary>
public sealed class StorageSnapshot(IReadOnlyList<StoredText> texts, IReadOnlyList<string> gaps, IReadOnlyDictionary<string, int> counts)
{
    public IReadOnlyList<StoredText> Texts { get; } = texts;

    /// <summary>What the scan could not see in full (say so next to any "nothing found").</summary>
    public IReadOnlyList<string> Gaps { get; } = gaps;

    /// <summary>How many tables, entities, containers, blobs, queues and messages were read.</summary>
    public IReadOnlyDictionary<string, int> Counts { get; } = counts;

    /// <summary>Every place each needle occurs (case-insensitive; also JSON-escaped, URL-encoded, HTML-encoded and inside base64).</summary>
    public IReadOnlyList<StorageHit> Find(IEnumerable<string> needles)
    {
        ArgumentNullException.ThrowIfNull(needles);
        var list = needles.Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var hits = new List<StorageHit>();
        foreach (var text in Texts)
        {
            var forms = StorageScan.Forms(text.Text).ToList();
            foreach (var needle in list)
            {
                foreach (var (form, value) in forms)
                {
                    var at = value.IndexOf(needle, StringComparison.OrdinalIgnoreCase);
                    if (at >= 0)
                    {
                        hits.Add(new StorageHit(needle, text.Where, form, Excerpt(value, at, needle.Length)));
                        break; // one hit per needle and place: the first form that shows it
                    }
                }
            }
        }

        return hits;
    }

    /// <summary>How much was read, e.g. "24 tables, 295 entities, …, 2 gap(s)".</summary>
    public string Summary() => string.Join(", ", Counts.Select(c => $"{c.Value} {c.Key}")) + $", {Gaps.Count} gap(s)";

    /// <summary>Every table, container and queue read, with how many entities, blobs or messages it held.</summary>
    public IReadOnlyList<(string Kind, string Store, int Items)> Stores() =>
        Texts.GroupBy(t => (t.Where.Kind, t.Where.Store))
            .Select(g => (g.Key.Kind, g.Key.Store, g.Select(t => t.Where.Item).Where(i => i != "-").Distinct(StringComparer.Ordinal).Count()))
            .OrderBy(s => s.Kind, StringComparer.Ordinal).ThenBy(s => s.Store, StringComparer.Ordinal).ToList();

    private static string Excerpt(string value, int at, int length)
    {
        var start = Math.Max(0, at - 40);
        var end = Math.Min(value.Length, at + length + 40);
        return value[start..end].ReplaceLineEndings(" ");
    }
}

/// <summary>
/// Reads a whole storage account — every table (every entity, every property, PartitionKey and RowKey included), every
/// blob container (every blob and snapshot, content gunzipped when gzip, read as UTF-8, plus names and metadata) and every
/// queue (messages peeked, base64-decoded when they are base64) — the Durable Task hub's tables, containers
/// (<c>{hub}-largemessages</c>, leases) and queues included, and finds strings anywhere in it.
/// <para>
/// Point it at the product's account only (<see cref="LocalHostFixture.StorageConnectionString"/>): the local host keeps its
/// mail capture (the SendGrid stand-in and people's mailboxes) in a separate Azurite account, <c>mailcapture</c>, which
/// stands for the outside world and is not scanned.
/// </para>
/// <para>Limits: a queue peek shows at most 32 messages, and never messages being processed (invisible): such queues are
/// listed in <see cref="StorageSnapshot.Gaps"/>.</para>
/// </summary>
public static partial class StorageScan
{
    /// <summary>Said in <see cref="StorageSnapshot.Gaps"/> of a queue with more visible messages than a peek returns.</summary>
    public const string PeekLimitReached = "more than the 32 a peek returns";

    private const int MaxPeek = 32;

    /// <summary>Reads everything; match it with <see cref="StorageSnapshot.Find"/> (scan once, match several needle sets).</summary>
    public static async Task<StorageSnapshot> ReadAsync(string connectionString, CancellationToken ct = default)
    {
        var texts = new List<StoredText>();
        var gaps = new List<string>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["tables"] = 0, ["entities"] = 0, ["containers"] = 0, ["blobs"] = 0, ["queues"] = 0, ["messages"] = 0,
        };

        await ReadTablesAsync(new TableServiceClient(connectionString), texts, counts, ct);
        await ReadBlobsAsync(new BlobServiceClient(connectionString), texts, gaps, counts, ct);
        await ReadQueuesAsync(new QueueServiceClient(connectionString), texts, gaps, counts, ct);
        return new StorageSnapshot(texts, gaps, counts);
    }

    /// <summary>Reads the account and returns every hit of every needle (for a second scenario, or for a report).</summary>
    public static async Task<IReadOnlyList<StorageHit>> FindAsync(string connectionString, IEnumerable<string> needles, CancellationToken ct = default) =>
        (await ReadAsync(connectionString, ct)).Find(needles);

    private static async Task ReadTablesAsync(TableServiceClient service, List<StoredText> texts, Dictionary<string, int> counts, CancellationToken ct)
    {
        await foreach (var table in service.QueryAsync(cancellationToken: ct))
        {
            counts["tables"]++;
            texts.Add(new StoredText(new StorageLocation("table", table.Name, "-", "(name)"), table.Name));
            await foreach (var entity in service.GetTableClient(table.Name).QueryAsync<TableEntity>(cancellationToken: ct))
            {
                counts["entities"]++;
                var item = $"{entity.PartitionKey} / {entity.RowKey}";
                foreach (var (name, value) in entity)
                {
                    if (name is "odata.etag" || value is null)
                    {
                        continue;
                    }

                    var text = value switch
                    {
                        byte[] bytes => Decode(bytes),
                        BinaryData data => Decode(data.ToArray()),
                        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
                        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                        _ => value.ToString() ?? string.Empty,
                    };
                    texts.Add(new StoredText(new StorageLocation("table", table.Name, item, name), text));
                }
            }
        }
    }

    private static async Task ReadBlobsAsync(BlobServiceClient service, List<StoredText> texts, List<string> gaps, Dictionary<string, int> counts, CancellationToken ct)
    {
        await foreach (var container in service.GetBlobContainersAsync(BlobContainerTraits.Metadata, cancellationToken: ct))
        {
            counts["containers"]++;
            var client = service.GetBlobContainerClient(container.Name);
            texts.Add(new StoredText(new StorageLocation("blob", container.Name, "-", "(name)"), container.Name));
            foreach (var (key, value) in container.Properties.Metadata ?? new Dictionary<string, string>())
            {
                texts.Add(new StoredText(new StorageLocation("blob", container.Name, "-", "metadata:" + key), value));
            }

            await foreach (var blob in client.GetBlobsAsync(BlobTraits.Metadata, BlobStates.Snapshots, prefix: null, cancellationToken: ct))
            {
                counts["blobs"]++;
                var item = blob.Snapshot is null ? blob.Name : $"{blob.Name} (snapshot {blob.Snapshot})";
                texts.Add(new StoredText(new StorageLocation("blob", container.Name, item, "(name)"), blob.Name));
                foreach (var (key, value) in blob.Metadata ?? new Dictionary<string, string>())
                {
                    texts.Add(new StoredText(new StorageLocation("blob", container.Name, item, "metadata:" + key), value));
                }

                var blobClient = client.GetBlobClient(blob.Name);
                if (blob.Snapshot is not null)
                {
                    blobClient = blobClient.WithSnapshot(blob.Snapshot);
                }

                var content = await blobClient.DownloadContentAsync(ct);
                var bytes = content.Value.Content.ToArray();
                var text = Decode(bytes);
                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    gaps.Add($"blob {container.Name}/{item} is binary ({bytes.Length} bytes, {blob.Properties.ContentType}); read as UTF-8 anyway");
                }

                texts.Add(new StoredText(new StorageLocation("blob", container.Name, item, "(content)"), text));
            }
        }
    }

    private static async Task ReadQueuesAsync(QueueServiceClient service, List<StoredText> texts, List<string> gaps, Dictionary<string, int> counts, CancellationToken ct)
    {
        await foreach (var queue in service.GetQueuesAsync(cancellationToken: ct))
        {
            counts["queues"]++;
            texts.Add(new StoredText(new StorageLocation("queue", queue.Name, "-", "(name)"), queue.Name));
            var client = service.GetQueueClient(queue.Name);
            var approximate = (await client.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
            var peeked = (await client.PeekMessagesAsync(MaxPeek, ct)).Value;
            counts["messages"] += peeked.Length;
            if (peeked.Length == MaxPeek && approximate > MaxPeek)
            {
                gaps.Add($"queue {queue.Name} holds about {approximate} messages: {PeekLimitReached}");
            }
            else if (approximate > peeked.Length)
            {
                gaps.Add($"queue {queue.Name} holds about {approximate} messages, {approximate - peeked.Length} of them invisible (being processed, or delayed such as durable timers)");
            }

            foreach (var message in peeked)
            {
                var raw = message.Body.ToString();
                var (property, text) = TryBase64(raw) is { } bytes && Decode(bytes) is var decoded && IsMostlyText(decoded)
                    ? ("(text, base64-decoded)", decoded)
                    : ("(text)", raw);
                texts.Add(new StoredText(new StorageLocation("queue", queue.Name, message.MessageId, property), text));
            }
        }
    }

    /// <summary>UTF-8 text of stored bytes; gzip (the Durable Task provider's large messages) is decompressed first.</summary>
    public static string Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes is [0x1f, 0x8b, ..])
        {
            try
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var result = new MemoryStream();
                gzip.CopyTo(result);
                return Encoding.UTF8.GetString(result.ToArray());
            }
            catch (InvalidDataException)
            {
                // not gzip after all: read as it is
            }
        }

        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>
    /// The forms in which a needle may hide in <paramref name="text"/>: the text itself, JSON-unescaped (<c>\u0040</c>,
    /// <c>\u0027</c>, <c>\"</c>; repeated for JSON inside JSON, as in Durable history), URL-decoded (<c>%40</c>, <c>+</c>),
    /// HTML-decoded (<c>&amp;amp;</c>, <c>&amp;#39;</c>), and the UTF-8 text of base64 or base64url runs inside it (tokens,
    /// queue messages), each of those decoded the same way.
    /// </summary>
    public static IEnumerable<(string Form, string Text)> Forms(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var form in Unescaped("plain", text, depth: 0, seen))
        {
            yield return form;
        }

        foreach (Match run in Base64Run().Matches(text))
        {
            if (TryBase64(run.Value) is { } bytes && Decode(bytes) is var decoded && IsMostlyText(decoded))
            {
                foreach (var form in Unescaped("base64", decoded, depth: 0, seen))
                {
                    yield return form;
                }
            }
        }
    }

    private static IEnumerable<(string Form, string Text)> Unescaped(string form, string text, int depth, HashSet<string> seen)
    {
        if (!seen.Add(text))
        {
            yield break;
        }

        yield return (form, text);
        if (depth >= 3)
        {
            yield break;
        }

        if (text.Contains('\\', StringComparison.Ordinal))
        {
            foreach (var f in Unescaped(Join(form, "json-escaped"), JsonUnescape(text), depth + 1, seen))
            {
                yield return f;
            }
        }

        if (text.Contains('%', StringComparison.Ordinal) || text.Contains('+', StringComparison.Ordinal))
        {
            foreach (var f in Unescaped(Join(form, "url-encoded"), WebUtility.UrlDecode(text), depth + 1, seen))
            {
                yield return f;
            }
        }

        if (text.Contains('&', StringComparison.Ordinal))
        {
            foreach (var f in Unescaped(Join(form, "html"), WebUtility.HtmlDecode(text), depth + 1, seen))
            {
                yield return f;
            }
        }
    }

    private static string Join(string form, string next) => form == "plain" ? next : form + "+" + next;

    private static string JsonUnescape(string text) =>
        JsonEscape().Replace(text, m => m.Groups[1].Success
            ? ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString()
            : m.Groups[2].Value switch { "n" => "\n", "r" => "\r", "t" => "\t", "b" => "\b", "f" => "\f", var c => c });

    /// <summary>The bytes of a base64 or base64url string, or null when it is not one.</summary>
    public static byte[]? TryBase64(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (s.Length < 8 || !Base64Whole().IsMatch(s))
        {
            return null;
        }

        s = s.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        s += new string('=', (4 - (s.Length % 4)) % 4);
        var buffer = new byte[s.Length];
        return Convert.TryFromBase64String(s, buffer, out var written) ? buffer[..written] : null;
    }

    private static bool IsMostlyText(string s) =>
        s.Length > 0 && s.Count(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t') || c == '\uFFFD') * 20 < s.Length;

    [GeneratedRegex(@"\\(?:u([0-9a-fA-F]{4})|([""\\/bfnrt]))")]
    private static partial Regex JsonEscape();

    [GeneratedRegex(@"^[A-Za-z0-9+/_-]+={0,2}$")]
    private static partial Regex Base64Whole();

    [GeneratedRegex(@"[A-Za-z0-9+/_-]{16,}={0,2}")]
    private static partial Regex Base64Run();
}
