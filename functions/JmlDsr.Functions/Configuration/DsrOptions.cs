using System.ComponentModel.DataAnnotations;

namespace JmlDsr.Functions.Configuration;

/// <summary>Workflow settings (section "Dsr"). Secrets live in <see cref="SecretOptions"/>.</summary>
public sealed class DsrOptions
{
    public const string Section = "Dsr";

    /// <summary>Where staff decisions, alerts and reminders go.</summary>
    [Required, EmailAddress]
    public string PrivacyTeamAddress { get; set; } = string.Empty;

    /// <summary>The Data Protection Officer: escalations at the due date.</summary>
    [Required, EmailAddress]
    public string DpoAddress { get; set; } = string.Empty;

    /// <summary>The sender of every email (the privacy mailbox).</summary>
    [Required, EmailAddress]
    public string FromAddress { get; set; } = string.Empty;

    [Required]
    public string FromName { get; set; } = "JML Privacy Team";

    /// <summary>The public base URL links point at, e.g. https://dsr.jmlsoftware.co.uk.</summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = string.Empty;

    /// <summary>JML's own mail domains, comma-separated: mail from these is internal (forwarded by staff).</summary>
    [Required]
    public string InternalDomains { get; set; } = "jmlsoftware.co.uk";

    /// <summary>How long the requester has to confirm their identity before the request is closed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "90.00:00:00")]
    public TimeSpan VerificationWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long staff decision links stay valid.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "90.00:00:00")]
    public TimeSpan ApprovalLinkLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long the customer's download link stays valid.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "90.00:00:00")]
    public TimeSpan ExportLinkLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How many times every workflow step (a system search, an email, a status write) is tried before the request needs attention (with exponential backoff).</summary>
    [Range(1, 20)]
    public int GatherAttempts { get; set; } = 4;

    /// <summary>The wait before the first retry of a failed workflow step; it doubles each time.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan GatherFirstRetry { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a workflow step that failed after every retry waits for staff before it is tried again by itself. The
    /// request shows "needs attention" meanwhile and the privacy team has an alert with a retry link.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan StepAutoRetry { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often a request waiting on a paused system looks again (a resume also tells the waiting requests at once).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PausedSystemCheck { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long the requester has to answer a request for clarification (Art 12A) before the request is closed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "180.00:00:00")]
    public TimeSpan ClarificationWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Days before the due date on which the privacy team is reminded, comma-separated (default "7,2").</summary>
    [RegularExpression(@"^\s*\d{1,3}(\s*[,; ]\s*\d{1,3})*\s*$")]
    public string ReminderDaysBefore { get; set; } = "7,2";

    /// <summary>Notice given to the requester before a restriction is lifted (Art 18(3)).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "90.00:00:00")]
    public TimeSpan RestrictionLiftNotice { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Extra bank holidays (yyyy-MM-dd, comma-separated) on top of the shipped England and Wales list.</summary>
    public string ExtraBankHolidays { get; set; } = string.Empty;

    /// <summary>
    /// The privacy mailbox address(es) SendGrid Inbound Parse receives for, comma-separated. Mail to them is intake; the
    /// product must never mail them as a requester, and staff alerts sent to one of them come straight back (see
    /// <see cref="LoopGuard"/>).
    /// </summary>
    [Required]
    public string IntakeAddresses { get; set; } = "privacy@jmlsoftware.co.uk";

    /// <summary>
    /// Sets aside the product's own mail when it arrives back in the privacy mailbox (our header, our sending address).
    /// Only ever off for a mailbox that cannot receive our mail; start-up refuses it off when an intake address is also
    /// the privacy team's or the DPO's.
    /// </summary>
    public bool LoopGuard { get; set; } = true;

    /// <summary>The circuit breaker: at most this many emails to one address in an hour (staff addresses ten times as many); more are held back and the privacy team alerted.</summary>
    [Range(1, 10_000)]
    public int MaxEmailsPerAddressPerHour { get; set; } = 20;

    /// <summary>More new requests than this from one sender in 24 hours go to staff triage, with no email to the sender.</summary>
    [Range(1, 10_000)]
    public int MaxNewRequestsPerSenderPerDay { get; set; } = 5;

    /// <summary>
    /// How long a request's case file (reference, requester, dates, decisions, emails sent, evidence) is kept after the
    /// request closes: an ISO 8601 duration, default six years (the limitation period, Limitation Act 1980 s 5). Then it
    /// is reduced to an anonymous statistics row.
    /// </summary>
    [Required]
    public string CaseFileRetention { get; set; } = "P6Y";

    /// <summary>How long inbound mail that opened no request (auto-replies, bounces, our own mail) is kept for staff: ISO 8601, default 90 days.</summary>
    [Required]
    public string SetAsideRetention { get; set; } = "P90D";

    /// <summary>
    /// The deadline watchdog's grace period: how long the workflow may disagree with the request index (the moment between its
    /// two writes, a start still queued, a timer a little late) before the request counts as not under watch, and how late a
    /// reminder or escalation of a workflow under watch may be before the watchdog sends it itself. Default 15 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan WatchdogGrace { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How often the deadline watchdog runs: hourly in Azure (its timer, at 40 minutes past), every
    /// <c>LocalHost__WatchdogInterval</c> locally (the local host sets this to match). The console counts a request the
    /// watchdog has not seen for two intervals as not under watch.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The retention schedule these settings make (validated at start-up).</summary>
    public JmlDsr.Domain.Retention.RetentionSettings Retention() =>
        new(JmlDsr.Domain.Retention.RetentionPeriod.Parse(CaseFileRetention), JmlDsr.Domain.Retention.RetentionPeriod.Parse(SetAsideRetention), ExportLinkLifetime);

    public IReadOnlyList<string> IntakeAddressList =>
        IntakeAddresses.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The only JML addresses the product mails: the privacy team and the DPO.</summary>
    public IReadOnlyList<string> StaffAddressList => [PrivacyTeamAddress, DpoAddress];

    /// <summary>Our own addresses: what we send from and what we receive at.</summary>
    public IReadOnlyList<string> OwnAddressList => [FromAddress, .. IntakeAddressList];

    /// <summary>True for one of our own addresses or any address at an internal domain: never a requester to answer.</summary>
    public bool IsOurs(string address) =>
        JmlDsr.Domain.Intake.RequesterExtractor.IsInternal(address, InternalDomainList) || OwnAddressList.Contains(address, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> InternalDomainList =>
        InternalDomains.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// Start-up checks across settings: an intake address that is also a staff address makes every staff alert arrive back in
/// the privacy mailbox, which is safe only with the loop guard on.
/// </summary>
public sealed class DsrOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<DsrOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, DsrOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var intake in options.IntakeAddressList)
        {
            if (!JmlDsr.Domain.Intake.RequesterExtractor.IsValidAddress(intake))
            {
                failures.Add($"Dsr:IntakeAddresses: '{intake}' is not an email address.");
            }
        }

        foreach (var (setting, value) in new[] { ("CaseFileRetention", options.CaseFileRetention), ("SetAsideRetention", options.SetAsideRetention) })
        {
            if (!JmlDsr.Domain.Retention.RetentionPeriod.TryParse(value, out _))
            {
                failures.Add($"Dsr:{setting}: '{value}' is not a retention period; write an ISO 8601 duration such as P6Y or P90D.");
            }
        }

        var loops = options.IntakeAddressList.Intersect(options.StaffAddressList, StringComparer.OrdinalIgnoreCase).ToList();
        if (!options.LoopGuard && loops.Count > 0)
        {
            failures.Add($"Dsr:LoopGuard is off while the intake address {string.Join(", ", loops)} is also the privacy team's or the DPO's address: every staff email would arrive back as a new request. Turn Dsr:LoopGuard on, or give staff a mailbox SendGrid does not receive for.");
        }

        return failures.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Secrets (section "Dsr"), from configuration only: Key Vault references in Azure, local settings here.</summary>
public sealed class SecretOptions
{
    /// <summary>The shared secret SendGrid Inbound Parse sends (it cannot sign its posts): the basic-auth password of its URL, or ?key= in older setups.</summary>
    [Required, MinLength(16)]
    public string InboundKey { get; set; } = string.Empty;

    /// <summary>The staff key (header x-functions-key) for the local host; in Azure, a function key does this job.</summary>
    [Required, MinLength(16)]
    public string StaffKey { get; set; } = string.Empty;

    /// <summary>HMAC-SHA256 key for link tokens.</summary>
    [Required, MinLength(32)]
    public string LinkSigningKey { get; set; } = string.Empty;

    /// <summary>The key being rotated out: still accepted when checking links, never used to sign.</summary>
    public string? LinkSigningKeyPrevious { get; set; }
}

/// <summary>The SendGrid client (section "SendGrid").</summary>
public sealed class SendGridOptions
{
    public const string Section = "SendGrid";

    [Required]
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Empty for SendGrid itself; a local capture endpoint (http://127.0.0.1:7071) in development and tests.</summary>
    public string? Host { get; set; }

    /// <summary>
    /// The Signed Event Webhook's verification key (base64, from SendGrid's Mail Settings). Events posted to
    /// api/events/sendgrid are accepted only when signed with it; empty: events are refused, and a retried send
    /// cannot wait for them. The local host fills it with the key its SendGrid stand-in signs with.
    /// </summary>
    public string? EventWebhookPublicKey { get; set; }

    /// <summary>
    /// How long after an interrupted send a retry waits for SendGrid's events to say whether it took the email,
    /// before sending again. SendGrid posts events in batches, usually within a minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:15:00")]
    public TimeSpan ConfirmationGrace { get; set; } = TimeSpan.FromMinutes(3);
}
