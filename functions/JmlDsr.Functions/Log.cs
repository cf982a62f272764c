using Microsoft.Extensions.Logging;

namespace JmlDsr.Functions;

/// <summary>Every log line the app writes. Request references only: never an address, a name or a body.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Email {Step} sent for {Reference}")]
    public static partial void EmailSent(ILogger logger, string reference, string step);

    [LoggerMessage(1001, LogLevel.Information, "Email {Step} for {Reference} was already sent; not sending again")]
    public static partial void EmailAlreadySent(ILogger logger, string reference, string step);

    [LoggerMessage(1002, LogLevel.Error, "SendGrid refused email {Step} for {Reference} with HTTP {Status}")]
    public static partial void EmailFailed(ILogger logger, string reference, string step, int status);

    [LoggerMessage(1003, LogLevel.Information, "Email {Step} for {Reference}: an interrupted attempt was taken by SendGrid (its events say so); not sending again")]
    public static partial void EmailConfirmedBySendGrid(ILogger logger, string reference, string step);

    [LoggerMessage(1004, LogLevel.Warning, "Email {Step} for {Reference}: no word from SendGrid on the interrupted attempt; sending again (attempt {Attempt})")]
    public static partial void EmailResending(ILogger logger, string reference, string step, int attempt);

    [LoggerMessage(1005, LogLevel.Warning, "Email {Step} for {Reference} was not delivered: SendGrid reports {Event}")]
    public static partial void EmailUndeliverable(ILogger logger, string reference, string step, string @event);

    [LoggerMessage(1007, LogLevel.Warning, "Email {Step} for {Reference} withheld: addressed to one of JML's own addresses")]
    public static partial void EmailWithheldInternal(ILogger logger, string reference, string step);

    [LoggerMessage(1008, LogLevel.Warning, "Email {Step} for {Reference} held back by the circuit breaker: its recipient had {Limit} emails this hour")]
    public static partial void EmailWithheldCircuit(ILogger logger, string reference, string step, int limit);

    [LoggerMessage(1006, LogLevel.Warning, "SendGrid event post refused: {Problem}")]
    public static partial void MailEventsRefused(ILogger logger, string problem);

    [LoggerMessage(1100, LogLevel.Warning, "Inbound post refused: wrong or missing key")]
    public static partial void InboundBadKey(ILogger logger);

    [LoggerMessage(1101, LogLevel.Warning, "Inbound post kept as {Blob} but not accepted: {Problem}")]
    public static partial void InboundRejected(ILogger logger, string blob, string problem);

    [LoggerMessage(1102, LogLevel.Information, "Inbound email stored as {Blob} became request {Reference} ({Type})")]
    public static partial void InboundAccepted(ILogger logger, string blob, string reference, string type);

    [LoggerMessage(1103, LogLevel.Information, "Inbound email stored as {Blob} repeats request {Reference}; no new request")]
    public static partial void InboundDuplicate(ILogger logger, string blob, string reference);

    [LoggerMessage(1106, LogLevel.Information, "Inbound email stored as {Blob} answers the request for clarification on {Reference}")]
    public static partial void InboundAnswer(ILogger logger, string blob, string reference);

    [LoggerMessage(1109, LogLevel.Information, "Inbound email stored as {Blob} set aside: {Reason}; no request, no email")]
    public static partial void InboundSetAside(ILogger logger, string blob, string reason);

    [LoggerMessage(1110, LogLevel.Warning, "Inbound email stored as {Blob} answers the clarification on {Reference} but its sender is not authenticated; the answer link was sent instead")]
    public static partial void InboundAnswerUnauthenticated(ILogger logger, string blob, string reference);

    [LoggerMessage(1111, LogLevel.Information, "Set-aside email {Id} opened as request {Reference}")]
    public static partial void SetAsideOpened(ILogger logger, string id, string reference);

    [LoggerMessage(1120, LogLevel.Warning, "Inbound post refused unread: its Content-Length {Length} is over the {Limit} bytes accepted")]
    public static partial void InboundTooLong(ILogger logger, long length, int limit);

    [LoggerMessage(1107, LogLevel.Warning, "Starting the workflow of {Reference} failed (try {Try}): {Error}")]
    public static partial void IntakeStartRetry(ILogger logger, string reference, long @try, string error);

    [LoggerMessage(1108, LogLevel.Error, "The workflow of {Reference} could not be started after {Tries} tries; its message is set aside on {Queue} for staff to replay")]
    public static partial void IntakeStartSetAside(ILogger logger, string reference, long tries, string queue);

    [LoggerMessage(1112, LogLevel.Information, "The workflow of {Reference} was not started: the request was already {Status}")]
    public static partial void IntakeStartSkipped(ILogger logger, string reference, string status);

    [LoggerMessage(1104, LogLevel.Information, "Staff logged request {Reference} (channel {Channel})")]
    public static partial void LoggedRequestAccepted(ILogger logger, string reference, string channel);

    [LoggerMessage(1113, LogLevel.Warning, "The workflow of staff-logged request {Reference} could not be started at once ({Error}); its start is queued")]
    public static partial void LoggedRequestStartQueued(ILogger logger, string reference, string error);

    [LoggerMessage(1105, LogLevel.Warning, "Staff-logged request kept as {Blob} was refused: field {Field}")]
    public static partial void LoggedRequestRefused(ILogger logger, string blob, string field);

    [LoggerMessage(1200, LogLevel.Warning, "Link refused for {Reference}: {Verdict}")]
    public static partial void LinkRefused(ILogger logger, string reference, string verdict);

    [LoggerMessage(1201, LogLevel.Information, "Link {Action} used for {Reference} at step {Step}")]
    public static partial void LinkUsed(ILogger logger, string reference, string step, string action);

    [LoggerMessage(1212, LogLevel.Information, "A bulk {Action} from the console: {Done} of {Asked} request(s) done")]
    public static partial void BulkAction(ILogger logger, string action, int done, int asked);

    [LoggerMessage(1210, LogLevel.Information, "The owner of {SystemId} answered {Purpose} for {Reference}")]
    public static partial void OwnerAnswered(ILogger logger, string reference, string systemId, string purpose);

    [LoggerMessage(1211, LogLevel.Warning, "An owner's file for {SystemId} of {Reference} was refused: it cannot be read")]
    public static partial void OwnerUploadRefused(ILogger logger, string reference, string systemId);

    [LoggerMessage(1300, LogLevel.Warning, "Searching {System} for {Reference} failed: {Error}")]
    public static partial void GatherFailed(ILogger logger, Exception exception, string reference, string system, string error);

    [LoggerMessage(1400, LogLevel.Information, "Request {Reference}: {Step}")]
    public static partial void Progress(ILogger logger, string reference, string step);

    [LoggerMessage(1401, LogLevel.Warning, "Request {Reference} reached its due date {Due} while {Status}: escalated")]
    public static partial void DeadlineReached(ILogger logger, string reference, string due, string status);

    [LoggerMessage(1900, LogLevel.Information, "Housekeeping: {Requests} request(s) looked at; {Copies} working copies deleted, {Purged} workflow histories purged, {Ended} case files ended, {SetAside} set-aside emails and {Limits} limit rows deleted; {Failures} failed")]
    public static partial void HousekeepingDone(ILogger logger, int requests, int copies, int purged, int ended, int setAside, int limits, int failures);

    [LoggerMessage(1901, LogLevel.Error, "Housekeeping of {Reference} failed; it is tried again on the next run")]
    public static partial void HousekeepingFailed(ILogger logger, Exception exception, string reference);

    [LoggerMessage(1902, LogLevel.Information, "The case file of {Reference} reached the end of its retention period: reduced to a statistics row")]
    public static partial void CaseFileEnded(ILogger logger, string reference);

    [LoggerMessage(2000, LogLevel.Information, "Deadline watchdog: {Open} open request(s), {Watched} under watch, {NotWatched} not; sent {Reminders} reminder(s), {Escalations} escalation(s) and {Alerts} alert(s); {Failures} could not be checked")]
    public static partial void WatchdogRun(ILogger logger, int open, int watched, int notWatched, int reminders, int escalations, int alerts, int failures);

    [LoggerMessage(2001, LogLevel.Warning, "Deadline watchdog: the workflow of {Reference} is {Verdict}: {Reason}")]
    public static partial void WatchdogNotWatched(ILogger logger, string reference, string verdict, string reason);

    [LoggerMessage(2002, LogLevel.Warning, "Deadline watchdog sent the {DaysBefore}-day reminder of {Reference}: its workflow had not")]
    public static partial void WatchdogReminderSent(ILogger logger, string reference, int daysBefore);

    [LoggerMessage(2003, LogLevel.Warning, "Deadline watchdog sent the due-date escalation of {Reference}: its workflow had not")]
    public static partial void WatchdogEscalationSent(ILogger logger, string reference);

    [LoggerMessage(2004, LogLevel.Warning, "Deadline watchdog alerted staff ({Emails} email(s)): the workflow of {Reference} is {Verdict}")]
    public static partial void WatchdogAlertSent(ILogger logger, string reference, string verdict, int emails);

    [LoggerMessage(2005, LogLevel.Error, "Deadline watchdog could not check {Reference}; it is checked again on the next run")]
    public static partial void WatchdogCheckFailed(ILogger logger, Exception exception, string reference);

    [LoggerMessage(2006, LogLevel.Information, "Deadline watchdog: {Reference} is under watch again")]
    public static partial void WatchdogWatchedAgain(ILogger logger, string reference);

    [LoggerMessage(2007, LogLevel.Warning, "The workflow of {Reference} was restarted from its recorded state at phase {Phase}")]
    public static partial void WorkflowRestarted(ILogger logger, string reference, string phase);

    [LoggerMessage(2008, LogLevel.Information, "Restart of the workflow of {Reference} refused: {Why}")]
    public static partial void WorkflowRestartRefused(ILogger logger, string reference, string why);

    [LoggerMessage(2100, LogLevel.Error, "An HTTP route failed with {ExceptionType}; storage unreachable: {StorageUnreachable}")]
    public static partial void HttpFailed(ILogger logger, Exception exception, string exceptionType, bool storageUnreachable);

    [LoggerMessage(2200, LogLevel.Warning, "Could not wake the erasure linked to {Reference} after its copy was opened ({ExceptionType}); it looks again by itself")]
    public static partial void LinkedWakeFailed(ILogger logger, string reference, string exceptionType);
}
