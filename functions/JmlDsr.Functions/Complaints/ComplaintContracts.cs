namespace JmlDsr.Functions.Complaints;

/// <summary>Settings the complaint orchestration needs, passed in its input so that replay never reads configuration.</summary>
/// <param name="LinkLifetime">How long the privacy team's respond link lasts before a new one is sent.</param>
/// <param name="ExtraBankHolidays">Bank holidays beyond the shipped England and Wales list (for the acknowledgement date).</param>
public sealed record ComplaintSettings(TimeSpan LinkLifetime, IReadOnlyList<DateOnly> ExtraBankHolidays)
{
    /// <summary>How long a step that failed after every retry waits for staff before it is tried again by itself.</summary>
    public TimeSpan StepAutoRetry { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>The complaint orchestration's input: the complaint by reference only (no personal data in history).</summary>
public sealed record ComplaintInput(string Reference, DateTimeOffset ReceivedAt, ComplaintSettings Settings);

/// <summary>How the complaint ended: its status, when acknowledgement was due, and whether it was acknowledged in time.</summary>
public sealed record ComplaintResult(string Reference, string Status, string AcknowledgementDue, bool AcknowledgedInTime);

/// <summary>Acknowledge the complaint to the complainant (s 164A(3)).</summary>
public sealed record ComplaintAcknowledgementInput(string Reference, DateOnly AcknowledgementDue, DateTimeOffset At);

/// <summary>Ask the privacy team to look into the complaint and send the outcome, through a link for <paramref name="Step"/>.</summary>
public sealed record ComplaintStaffInput(string Reference, string Step, DateOnly AcknowledgementDue, DateTimeOffset LinkExpires, DateTimeOffset At);

/// <summary>Send the outcome decided at <paramref name="DecisionStep"/> (its text is in the Decisions table, not in history).</summary>
public sealed record ComplaintOutcomeInput(string Reference, string DecisionStep, DateTimeOffset At);
