using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace JmlDsr.Bench;

/// <summary>5. Hostile input: posts built to make a parser slow or big, each timed and its host CPU measured.</summary>
internal sealed partial class Bench
{
    /// <summary>The targets per post: answered within this wall time…</summary>
    private static readonly TimeSpan HostileWallTarget = TimeSpan.FromSeconds(2);

    /// <summary>…using at most this much of the host's CPU.</summary>
    private static readonly TimeSpan HostileCpuTarget = TimeSpan.FromSeconds(1);

    public async Task HostileAsync(int runs, StringBuilder report, List<string> failures)
    {
        var cases = new (string Name, string What, Func<(byte[] Bytes, string ContentType)> Build)[]
        {
            ("html-script-5mb", "parsed, HTML only: 5 MiB of `<script>`", () => HostilePost(html: Repeat("<script>", 5 * 1024 * 1024) + "<p>Please send me my data.</p>")),
            ("html-lt-5mb", "parsed, HTML only: 5 MiB of `<`", () => HostilePost(html: new string('<', 5 * 1024 * 1024))),
            ("refs-25mb", "parsed, text: 25 MiB of `DSR-2026-000123 `", () => HostilePost(text: Repeat("DSR-2026-000123 ", 25 * 1024 * 1024))),
            ("nested-250", "raw: multipart/mixed nested 250 deep", () => HostilePost(raw: Nested(250))),
            ("attachments-500-parsed", "parsed: 500 attachments (attachment-info)", () => HostilePost(text: "Please send me my data.", files: 500)),
            ("attachments-500-raw", "raw: 500 base64 attachments", () => HostilePost(raw: ManyAttachments(500))),
            ("declared-40mb", "a 40 MiB post (Content-Length over the limit)", () => HostilePost(text: new string('a', 40 * 1024 * 1024))),
        };

        // Warm the intake paths (JIT) with small ordinary posts of each kind: text, HTML only, raw, attachments.
        await PostInboundAsync(HostilePost(text: "warm-up: please send me my data.", files: 2));
        await PostInboundAsync(HostilePost(html: "<html><script>x</script><p>warm-up: please send me my data.</p></html>"));
        await PostInboundAsync(HostilePost(raw: ManyAttachments(2)));
        var total = Stopwatch.StartNew();
        report.AppendLine("## 5. Hostile input");
        report.AppendLine(CultureInfo.InvariantCulture, $"Each post {runs}× one at a time, 1.5 s apart (the requests' workflows start in between); host CPU from /proc/<pid>/stat (utime + stime) before and after each post. Targets: answered (2xx or a clean 4xx) in < {HostileWallTarget.TotalSeconds:0} s with < {HostileCpuTarget.TotalSeconds:0} s of host CPU.");
        report.AppendLine();
        report.AppendLine("| case | post | size MiB | status | wall ms (median / max) | host CPU ms (median / max) | target |");
        report.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, what, build) in cases)
        {
            var body = build();
            var walls = new List<double>();
            var cpus = new List<double>();
            var statuses = new SortedSet<int>();
            for (var run = 0; run < runs; run++)
            {
                await Task.Delay(1500);
                var body1 = run == 0 ? body : build(); // a new Message-Id each run: not a duplicate
                var cpu0 = HostCpu();
                var sw = Stopwatch.StartNew();
                int status;
                try
                {
                    status = (int)await PostInboundAsync(body1);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    status = 0;
                }

                walls.Add(sw.Elapsed.TotalMilliseconds);
                cpus.Add((HostCpu() - cpu0).TotalMilliseconds);
                statuses.Add(status);
            }

            walls.Sort();
            cpus.Sort();
            var met = walls[^1] < HostileWallTarget.TotalMilliseconds && cpus[^1] < HostileCpuTarget.TotalMilliseconds;
            var clean = statuses.All(s => s is >= 200 and < 500);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {what} | {body.Bytes.Length / 1048576.0:0.0} | {string.Join(", ", statuses.Select(s => s == 0 ? "no answer" : s.ToString(CultureInfo.InvariantCulture)))} | {walls[walls.Count / 2]:0} / {walls[^1]:0} | {cpus[cpus.Count / 2]:0} / {cpus[^1]:0} | {(met ? "met" : "MISSED")} |");
            Console.WriteLine(FormattableString.Invariant($"hostile {name}: {string.Join(",", statuses)} wall max {walls[^1]:0} ms, host CPU max {cpus[^1]:0} ms"));
            if (!clean)
            {
                failures.Add($"hostile {name}: answered {string.Join(", ", statuses)} (a hang or a 5xx)");
            }
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"Whole section {total.Elapsed.TotalSeconds:0} s. A missed target is reported, not failed; a hang or a 5xx fails the run.");
        report.AppendLine();
    }

    /// <summary>The host's CPU time (user + system) from /proc/&lt;pid&gt;/stat; the process API where there is no /proc.</summary>
    private TimeSpan HostCpu()
    {
        var process = Host.Process!;
        var path = $"/proc/{process.Id.ToString(CultureInfo.InvariantCulture)}/stat";
        if (!File.Exists(path))
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }

        // Fields after the command name (which is in parentheses and may hold spaces): state is 3rd, utime 14th, stime 15th.
        var stat = File.ReadAllText(path);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        const double ticksPerSecond = 100; // USER_HZ, 100 on Linux
        return TimeSpan.FromSeconds(ticks / ticksPerSecond);
    }

    private static string Repeat(string unit, int bytes)
    {
        var s = new StringBuilder(bytes + unit.Length);
        while (s.Length < bytes)
        {
            s.Append(unit);
        }

        return s.ToString();
    }

    private static string Nested(int depth)
    {
        var mime = new StringBuilder($"From: Alice Smith <alice.smith@example.com>\r\nTo: privacy@jmlsoftware.co.uk\r\nSubject: Subject access request\r\nMessage-Id: <hostile-{Guid.NewGuid():N}@mail.example.com>\r\nMIME-Version: 1.0\r\n");
        for (var i = 0; i < depth; i++)
        {
            mime.Append(CultureInfo.InvariantCulture, $"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        }

        mime.Append("Content-Type: text/plain\r\n\r\nPlease send me a copy of my personal data.\r\n");
        for (var i = depth - 1; i >= 0; i--)
        {
            mime.Append(CultureInfo.InvariantCulture, $"--b{i}--\r\n");
        }

        return mime.ToString();
    }

    private static string ManyAttachments(int n)
    {
        var mime = new StringBuilder($"From: Alice Smith <alice.smith@example.com>\r\nTo: privacy@jmlsoftware.co.uk\r\nSubject: Subject access request\r\nMessage-Id: <hostile-{Guid.NewGuid():N}@mail.example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nPlease send me a copy of my personal data.\r\n");
        var content = Convert.ToBase64String(new byte[1024], Base64FormattingOptions.InsertLineBreaks);
        for (var i = 1; i <= n; i++)
        {
            mime.Append(CultureInfo.InvariantCulture, $"--m\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"f{i}.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{content}\r\n");
        }

        return mime.Append("--m--\r\n").ToString();
    }

    /// <summary>A SendGrid post (parsed mode, or raw when <paramref name="raw"/> is given) with a fresh Message-Id.</summary>
    private static (byte[] Bytes, string ContentType) HostilePost(string? text = null, string? html = null, string? raw = null, int files = 0)
    {
        const string boundary = "xYzZY";
        using var body = new MemoryStream();
        void Write(string s) => body.Write(Encoding.UTF8.GetBytes(s));
        void Field(string name, string value) => Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        var messageId = $"hostile-{Guid.NewGuid():N}@mail.example.com";
        if (raw is not null)
        {
            Field("to", "privacy@jmlsoftware.co.uk");
            Field("envelope", "{\"to\":[\"privacy@jmlsoftware.co.uk\"],\"from\":\"alice.smith@example.com\"}");
            Field("email", raw.Replace("<hostile-", "<" + Guid.NewGuid().ToString("N")[..6] + "-hostile-", StringComparison.Ordinal));
        }
        else
        {
            Field("headers", $"Message-Id: <{messageId}>\r\nFrom: Alice Smith <alice.smith@example.com>\r\nTo: privacy@jmlsoftware.co.uk\r\nSubject: Subject access request\r\n");
            Field("from", "Alice Smith <alice.smith@example.com>");
            Field("to", "privacy@jmlsoftware.co.uk");
            Field("subject", "Subject access request");
            Field("envelope", "{\"to\":[\"privacy@jmlsoftware.co.uk\"],\"from\":\"alice.smith@example.com\"}");
            Field("charsets", "{\"to\":\"UTF-8\",\"html\":\"UTF-8\",\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"UTF-8\"}");
            Field("SPF", "pass");
            Field("dkim", "{@example.com : pass}");
            if (text is not null)
            {
                Field("text", text);
            }

            if (html is not null)
            {
                Field("html", html);
            }

            if (files > 0)
            {
                Field("attachments", files.ToString(CultureInfo.InvariantCulture));
                Field("attachment-info", "{" + string.Join(",", Enumerable.Range(1, files).Select(i => $"\"attachment{i}\":{{\"filename\":\"f{i}.bin\",\"name\":\"f{i}.bin\",\"type\":\"application/octet-stream\"}}")) + "}");
                var content = new string('x', 1024);
                for (var i = 1; i <= files; i++)
                {
                    Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"attachment{i}\"; filename=\"f{i}.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n");
                }
            }
        }

        Write($"--{boundary}--\r\n");
        return (body.ToArray(), $"multipart/form-data; boundary={boundary}");
    }
}
