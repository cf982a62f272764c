namespace JmlDsr.Domain.Intake;

/// <summary>
/// The sender-authentication verdict on an inbound email: SPF and DKIM results and whether each is aligned with the
/// From domain (DMARC-style relaxed alignment: same organisational domain).
/// </summary>
public sealed record AuthVerdict(string Spf, bool SpfAligned, string Dkim, bool DkimAligned, string Source)
{
    /// <summary>The domains whose DKIM signatures passed.</summary>
    public IReadOnlyList<string> DkimPassDomains { get; init; } = [];

    /// <summary>The SPF-checked domain (envelope MAIL FROM), if known.</summary>
    public string? SpfDomain { get; init; }

    /// <summary>The DMARC result where Authentication-Results gives one.</summary>
    public string? Dmarc { get; init; }

    /// <summary>True when SPF or DKIM passed aligned with From.</summary>
    public bool Authenticated => (SpfAligned && Spf == "pass") || (DkimAligned && Dkim == "pass");

    /// <summary>One line for the timeline, e.g. "SPF pass (aligned), DKIM pass (example.com, aligned) — SendGrid".</summary>
    public string Summary
    {
        get
        {
            var spf = $"SPF {Spf}" + Detail(SpfDomain, Spf == "pass" ? SpfAligned : null);
            var dkimDomains = DkimPassDomains.Count > 0 ? string.Join(", ", DkimPassDomains) : null;
            var dkim = $"DKIM {Dkim}" + Detail(dkimDomains, Dkim == "pass" ? DkimAligned : null);
            var dmarc = Dmarc is null ? "" : $", DMARC {Dmarc}";
            var verdict = Authenticated ? "authenticated" : "not authenticated";
            return $"{spf}, {dkim}{dmarc}: {verdict} — {Source}";

            static string Detail(string? domain, bool? aligned)
            {
                var parts = new List<string>(2);
                if (domain is not null)
                {
                    parts.Add(domain);
                }

                if (aligned is { } a)
                {
                    parts.Add(a ? "aligned" : "not aligned");
                }

                return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
            }
        }
    }

    public static AuthVerdict Unknown { get; } = new("none", false, "none", false, "none");
}

/// <summary>Reads SendGrid's parsed-mode SPF and dkim fields, or Authentication-Results (raw mode), into an <see cref="AuthVerdict"/>.</summary>
/// <remarks>
/// Alignment is DMARC relaxed alignment (RFC 7489 §3.1.1, §3.1.2): the passing DKIM d= domain, or the SPF-checked
/// MAIL FROM domain, has the same organisational domain (<see cref="OrganisationalDomain"/>) as the From domain.
/// </remarks>
public static class SenderAuthentication
{
    private static readonly HashSet<string> KnownResults = new(StringComparer.Ordinal)
    {
        // RFC 8601 §2.7.1 (DKIM), §2.7.2 (SPF, RFC 7208 §2.6), §2.7.x (DMARC).
        "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy", "hardfail",
    };

    /// <summary>From the facts: SendGrid's fields when present (parsed mode), else the top Authentication-Results header.</summary>
    public static AuthVerdict Evaluate(MailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var fromDomain = MailText.Domain(MailText.Address(facts.From));

        if (facts.SendGridSpf is not null || facts.SendGridDkim is not null)
        {
            return FromSendGrid(facts, fromDomain);
        }

        // Raw mode. Trust assumption: the topmost Authentication-Results is the one the receiving MX (SendGrid) added;
        // any below it came with the message and could be written by anyone (RFC 8601 §5, §7.1), so they are ignored.
        var top = facts.Header("Authentication-Results");
        if (top is not null)
        {
            return FromAuthenticationResults(top, facts, fromDomain);
        }

        var receivedSpf = facts.Header("Received-SPF");
        if (receivedSpf is not null)
        {
            var (spf, domain) = ParseReceivedSpf(receivedSpf, facts);
            return new(spf, OrganisationalDomain.Aligned(domain, fromDomain), "none", false, "Received-SPF") { SpfDomain = domain };
        }

        return AuthVerdict.Unknown;
    }

    // ---- SendGrid parsed mode ----------------------------------------------------------------------------------------

    private static AuthVerdict FromSendGrid(MailFacts facts, string? fromDomain)
    {
        // SendGrid's "SPF" is the SPF result for the envelope MAIL FROM (RFC 7208 §2.4); "dkim" is "{@d : result, ...}".
        var spf = Result(facts.SendGridSpf);
        var spfDomain = SpfDomain(facts);
        var dkim = ParseSendGridDkim(facts.SendGridDkim);
        var (dkimResult, passDomains) = Combine(dkim);
        return new(
            spf,
            spf == "pass" && OrganisationalDomain.Aligned(spfDomain, fromDomain),
            dkimResult,
            passDomains.Any(d => OrganisationalDomain.Aligned(d, fromDomain)),
            "SendGrid")
        {
            SpfDomain = spfDomain,
            DkimPassDomains = passDomains,
        };
    }

    /// <summary>SendGrid's dkim field (not JSON): "{@example.com : pass}", "{@a.com : pass, @b.com : fail}", "none", "".</summary>
    internal static IReadOnlyList<(string Domain, string Result)> ParseSendGridDkim(string? field)
    {
        var results = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(field))
        {
            return results;
        }

        var body = field.Trim().TrimStart('{').TrimEnd('}');
        foreach (var entry in body.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            if (colon < 0)
            {
                continue; // "none" and the like: no signature
            }

            var domain = MailText.Domain(entry[..colon].Trim());
            var result = Result(entry[(colon + 1)..]);
            if (domain is not null)
            {
                results.Add((domain, result));
            }
        }

        return results;
    }

    // ---- raw mode: Authentication-Results (RFC 8601) ------------------------------------------------------------------

    private static AuthVerdict FromAuthenticationResults(string header, MailFacts facts, string? fromDomain)
    {
        var parsed = ParseAuthenticationResults(header);
        var spf = parsed.FirstOrDefault(r => r.Method == "spf");
        var dkims = parsed.Where(r => r.Method == "dkim").ToList();
        var dmarc = parsed.FirstOrDefault(r => r.Method == "dmarc");

        string spfResult;
        string? spfDomain;
        if (spf is not null)
        {
            spfResult = spf.Result;

            // RFC 8601 §2.7.2: smtp.mailfrom (older writers: smtp.mail); where MAIL FROM was null, SPF checked HELO (RFC 7208 §2.3).
            spfDomain = MailText.Domain(spf.Property("smtp.mailfrom") ?? spf.Property("smtp.mail")) ?? MailText.Domain(spf.Property("smtp.helo")) ?? SpfDomain(facts);
        }
        else if (facts.Header("Received-SPF") is { } receivedSpf)
        {
            (spfResult, spfDomain) = ParseReceivedSpf(receivedSpf, facts);
        }
        else
        {
            (spfResult, spfDomain) = ("none", SpfDomain(facts));
        }

        var dkim = dkims.Select(d => (Domain: MailText.Domain(d.Property("header.d") ?? d.Property("header.i")) ?? "", d.Result)).ToList();
        var (dkimResult, passDomains) = Combine(dkim);
        var authServId = parsed.Count > 0 ? parsed[0].AuthServId : AuthServId(header);

        return new(
            spfResult,
            spfResult == "pass" && OrganisationalDomain.Aligned(spfDomain, fromDomain),
            dkimResult,
            passDomains.Any(d => OrganisationalDomain.Aligned(d, fromDomain)),
            authServId is { Length: > 0 } id ? $"Authentication-Results ({id})" : "Authentication-Results")
        {
            SpfDomain = spfDomain,
            DkimPassDomains = passDomains,
            Dmarc = dmarc?.Result,
        };
    }

    /// <summary>One resinfo of an Authentication-Results header: method=result and its ptype.property=value pairs.</summary>
    internal sealed record ResultInfo(string AuthServId, string Method, string Result, IReadOnlyList<KeyValuePair<string, string>> Properties)
    {
        public string? Property(string name) =>
            Properties.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
    }

    /// <summary>
    /// Parses an RFC 8601 §2.2 header: <c>authserv-id [version] ( ";" resinfo )*</c> or <c>authserv-id; none</c>.
    /// A small tokenizer: CFWS comments in parentheses (nested, with quoted-pairs) are dropped, quoted strings kept whole,
    /// ';' separates results. Linear in the header length.
    /// </summary>
    internal static IReadOnlyList<ResultInfo> ParseAuthenticationResults(string header)
    {
        var segments = SplitOutsideComments(header);
        var results = new List<ResultInfo>();
        if (segments.Count == 0)
        {
            return results;
        }

        // Exchange Online writes its results with no authserv-id ("spf=pass (sender IP is …) smtp.mailfrom=…; dkim=…"):
        // a first segment that is already method=result is a result, not the id.
        var noAuthServId = segments[0].Count > 0 && segments[0][0].Contains('=', StringComparison.Ordinal);
        var authServ = noAuthServId || segments[0].Count == 0 ? "" : segments[0][0].ToLowerInvariant();
        foreach (var tokens in noAuthServId ? segments : segments.Skip(1))
        {
            if (tokens.Count == 0)
            {
                continue;
            }

            var (method, result) = KeyValue(tokens[0]);
            if (method is null || result is null)
            {
                continue; // "none", or a token we cannot read
            }

            method = method.ToLowerInvariant();
            var slash = method.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                method = method[..slash]; // method version (RFC 8601 §2.2: "dkim/1")
            }

            var props = new List<KeyValuePair<string, string>>();
            foreach (var token in tokens.Skip(1))
            {
                var (k, v) = KeyValue(token);
                if (k is not null && v is not null)
                {
                    props.Add(new(k.ToLowerInvariant(), v));
                }
            }

            results.Add(new(authServ, method, Result(result), props));
        }

        return results;
    }

    private static string AuthServId(string header) =>
        SplitOutsideComments(header) is { Count: > 0 } s && s[0].Count > 0 && !s[0][0].Contains('=', StringComparison.Ordinal) ? s[0][0].ToLowerInvariant() : "";

    /// <summary>Splits on ';' outside comments and quotes, each segment into white-space separated tokens (quotes removed).</summary>
    private static List<List<string>> SplitOutsideComments(string header)
    {
        var segments = new List<List<string>>();
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        var depth = 0;
        var quoted = false;

        void EndToken()
        {
            if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }

        for (var i = 0; i < header.Length; i++)
        {
            var c = header[i];
            if (quoted)
            {
                if (c == '\\' && i + 1 < header.Length)
                {
                    current.Append(header[++i]);
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (depth > 0)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '(')
                {
                    depth++;
                }
                else if (c == ')')
                {
                    depth--;
                }
            }
            else if (c == '(')
            {
                EndToken();
                depth = 1;
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ';')
            {
                EndToken();
                segments.Add(tokens);
                tokens = [];
            }
            else if (char.IsWhiteSpace(c))
            {
                EndToken();
            }
            else
            {
                current.Append(c);
            }
        }

        EndToken();
        segments.Add(tokens);

        // "spf = pass" (spaces around '='): join "a", "=", "b" and "a=", "b" / "a", "=b" back together.
        foreach (var segment in segments)
        {
            for (var i = 0; i < segment.Count; i++)
            {
                if (segment[i] == "=" && i > 0 && i + 1 < segment.Count)
                {
                    segment[i - 1] = segment[i - 1] + "=" + segment[i + 1];
                    segment.RemoveRange(i, 2);
                    i--;
                }
                else if (segment[i].EndsWith('=') && segment[i].Length > 1 && i + 1 < segment.Count && !segment[i + 1].Contains('=', StringComparison.Ordinal))
                {
                    segment[i] += segment[i + 1];
                    segment.RemoveAt(i + 1);
                }
                else if (segment[i].StartsWith('=') && segment[i].Length > 1 && i > 0 && !segment[i - 1].Contains('=', StringComparison.Ordinal))
                {
                    segment[i - 1] += segment[i];
                    segment.RemoveAt(i);
                    i--;
                }
            }
        }

        return segments;
    }

    private static (string? Key, string? Value) KeyValue(string token)
    {
        var eq = token.IndexOf('=', StringComparison.Ordinal);
        return eq <= 0 ? (null, null) : (token[..eq], token[(eq + 1)..]);
    }

    // ---- Received-SPF (RFC 7208 §9.1) --------------------------------------------------------------------------------

    private static (string Result, string? Domain) ParseReceivedSpf(string header, MailFacts facts)
    {
        var result = Result(header);
        string? domain = null;
        foreach (var part in header.Split([';', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("envelope-from=", StringComparison.OrdinalIgnoreCase))
            {
                domain = MailText.Domain(part["envelope-from=".Length..].Trim('"', '<', '>'));
            }
        }

        return (result, domain ?? SpfDomain(facts));
    }

    // ---- shared ------------------------------------------------------------------------------------------------------

    /// <summary>The SPF-checked domain: the envelope MAIL FROM, else the Return-Path header; null for a null path or unknown.</summary>
    private static string? SpfDomain(MailFacts facts) =>
        MailText.Domain(!string.IsNullOrEmpty(facts.EnvelopeFrom) ? facts.EnvelopeFrom : MailText.Address(facts.Header("Return-Path")));

    private static string Result(string? value)
    {
        var token = MailText.FirstToken(value).Trim('"', '{', '}');
        return KnownResults.Contains(token) ? token : (token.Length == 0 ? "none" : token);
    }

    /// <summary>Overall DKIM: "pass" if any signature passed, else the first result, else "none"; and the passing domains.</summary>
    private static (string Result, IReadOnlyList<string> PassDomains) Combine(IReadOnlyList<(string Domain, string Result)> results)
    {
        var pass = results.Where(r => r.Result == "pass" && r.Domain.Length > 0).Select(r => r.Domain).Distinct().ToList();
        var overall = pass.Count > 0 ? "pass" : results.Count > 0 ? results[0].Result : "none";
        return (overall, pass);
    }
}
