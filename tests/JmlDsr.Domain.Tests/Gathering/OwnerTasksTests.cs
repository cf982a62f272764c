using System.Text;
using JmlDsr.Domain.Gathering;
using Xunit;

namespace JmlDsr.Domain.Tests.Gathering;

/// <summary>Systems with no API: what their owners are asked, when they are reminded, and what a file they send becomes.</summary>
public sealed class OwnerTasksTests
{
    private static readonly DateTimeOffset Opened = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly OwnerTaskTiming Timing = new(TimeSpan.FromDays(2), TimeSpan.FromDays(5));

    private static readonly SystemDescriptor Sheet = DataMapLoader.Parse("""
        systems:
          - id: events-sheet
            name: Events spreadsheet
            owner: events@jml.example
            purposes: To run our events.
            lawfulBasis: Legitimate interests (Art 6(1)(f)).
            categories: [event feedback, attendance]
            source: From you at our events.
            retention: Two years after the event.
            lookup:
              - key: email
            connector:
              kind: owner-task
            restrictionMark:
              Restricted: "yes"
            rights:
              - category: attendance
                erasure: anonymise
              - category: "*"
                erasure: delete
        """, "test.yaml").Get("events-sheet");

    [Fact]
    public void AnOpenTask_IsRemindedEachPeriodOnce_AndThePrivacyTeamToldOnce_AfterTheAlertTime()
    {
        // Just opened: nothing due; next look at the first reminder.
        Assert.Equal(new OwnerTaskDue(null, false, Opened.AddDays(2)), OwnerTaskSchedule.Due(Opened, 0, false, Opened, Timing));
        // Two days on: the first reminder; then the alert (five days) comes before the third reminder (six days).
        Assert.Equal(new OwnerTaskDue(1, false, Opened.AddDays(4)), OwnerTaskSchedule.Due(Opened, 0, false, Opened.AddDays(2), Timing));
        Assert.Equal(new OwnerTaskDue(null, false, Opened.AddDays(5)), OwnerTaskSchedule.Due(Opened, 2, false, Opened.AddDays(4).AddHours(1), Timing));
        Assert.Equal(new OwnerTaskDue(null, true, Opened.AddDays(6)), OwnerTaskSchedule.Due(Opened, 2, false, Opened.AddDays(5), Timing));
        // Once alerted, only the reminders go on.
        Assert.Equal(new OwnerTaskDue(3, false, Opened.AddDays(8)), OwnerTaskSchedule.Due(Opened, 2, true, Opened.AddDays(6), Timing));
        // A look long overdue (the host was down a week) sends one reminder and the alert, not one email per missed period.
        Assert.Equal(new OwnerTaskDue(4, true, Opened.AddDays(10)), OwnerTaskSchedule.Due(Opened, 0, false, Opened.AddDays(9), Timing));
    }

    [Theory]
    [InlineData("P2D", 2 * 24 * 60)]
    [InlineData("PT4H", 4 * 60)]
    [InlineData("P1DT12H", 36 * 60)]
    [InlineData("PT90M", 90)]
    public void TheMapsDurations_AreIso8601(string value, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), OwnerTaskTiming.Duration(value));

    [Theory]
    [InlineData("2 days")]
    [InlineData("PT0S")]
    [InlineData("")]
    public void ADurationThatIsNotOne_IsNone(string value) => Assert.Null(OwnerTaskTiming.Duration(value));

    [Fact]
    public void ATasksStep_NamesItsPurposeAndSystem_AndNothingElseIsOne()
    {
        Assert.Equal("owner-gather-events-sheet", OwnerTaskPurposes.Step(OwnerTaskPurposes.Gather, "events-sheet"));
        Assert.Equal((OwnerTaskPurposes.Unrestriction, "events-sheet"), OwnerTaskPurposes.Parse("owner-unrestriction-events-sheet"));
        Assert.Equal((OwnerTaskPurposes.Restriction, "events-sheet"), OwnerTaskPurposes.Parse("owner-restriction-events-sheet"));
        Assert.Null(OwnerTaskPurposes.Parse("decision-1"));
        Assert.Null(OwnerTaskPurposes.Parse("owner-gather-"));
        Assert.Null(OwnerTaskPurposes.Parse("owner-shred-events-sheet"));
    }

    [Fact]
    public void AnExportedSpreadsheet_BecomesTheRecords_WithTheirCategories_QuotedLineBreaksAndAll()
    {
        // As Excel saves "CSV UTF-8": a byte order mark, CRLF, a quoted comment over two lines, an empty cell.
        var csv = "\uFEFFcategory,Event,Date,Comments,Table\r\nevent feedback,Leeds user day,2026-10-14,\"Great talks, but\r\nthe room was cold\",\r\nattendance,Leeds user day,2026-10-14,,12\r\n";
        var upload = OwnerUpload.Parse("feedback.csv", Encoding.UTF8.GetBytes(csv), Sheet);
        Assert.Null(upload.Error);
        Assert.Equal(2, upload.Records.Count);
        Assert.Equal("event feedback", upload.Records[0].Category);
        Assert.Equal("Great talks, but\r\nthe room was cold", upload.Records[0].Fields["Comments"]);
        Assert.False(upload.Records[0].Fields.ContainsKey("Table"));
        Assert.False(upload.Records[0].Fields.ContainsKey("category"));
        Assert.Equal("attendance", upload.Records[1].Category);
        Assert.Equal("12", upload.Records[1].Fields["Table"]);
    }

    [Fact]
    public void ASemicolonSeparatedExport_AndAJsonFile_AreReadToo()
    {
        var semi = OwnerUpload.Parse("export.csv", Encoding.UTF8.GetBytes("Event;Rating\nYork day;4\n"), Sheet);
        Assert.Null(semi.Error);
        var only = Assert.Single(semi.Records);
        Assert.Equal("event feedback", only.Category); // no category column: the system's first
        Assert.Equal("4", only.Fields["Rating"]);

        var json = OwnerUpload.Parse("records.json", Encoding.UTF8.GetBytes("""{ "records": [ { "category": "Attendance", "Event": "York day", "Seats": 2, "Vegetarian": true, "Notes": null } ] }"""), Sheet);
        Assert.Null(json.Error);
        var r = Assert.Single(json.Records);
        Assert.Equal("attendance", r.Category);
        Assert.Equal("2", r.Fields["Seats"]);
        Assert.Equal("true", r.Fields["Vegetarian"]);
        Assert.False(r.Fields.ContainsKey("Notes"));
    }

    [Theory]
    [InlineData("people.csv", "", "The file is empty.")]
    [InlineData("people.csv", "Event,Event\nx,y\n", "The CSV header names 'Event' twice.")]
    [InlineData("people.csv", "category,Event\nbadges,York\n", "Record 1: the category 'badges' is not one of Events spreadsheet's (event feedback, attendance).")]
    [InlineData("people.json", "{ \"name\": \"x\" }", "The JSON file must be an array of records, or an object with a \"records\" array.")]
    [InlineData("people.json", "[ \"x\" ]", "Record 1 of the JSON file is not an object of fields.")]
    [InlineData("people.json", "[ { \"a\": 1 ", "The JSON file cannot be read (line 1)")]
    public void AFileThatCannotBeRead_IsRefusedWithTheReason(string name, string content, string error)
    {
        var upload = OwnerUpload.Parse(name, Encoding.UTF8.GetBytes(content), Sheet);
        Assert.Empty(upload.Records);
        Assert.StartsWith(error, upload.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotUtf8_IsRefused_SoNoNameIsGarbled()
    {
        var latin1 = Encoding.Latin1.GetBytes("Name\nRené Müller\n");
        Assert.Contains("not UTF-8", OwnerUpload.Parse("export.csv", latin1, Sheet).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WhatTheOwnerIsToDo_ComesFromTheMap_CategoryByCategory()
    {
        var erase = OwnerTaskPurposes.Todo(OwnerTaskPurposes.Erasure, Sheet, 3, []);
        Assert.Contains("You sent us 3 record(s) about the person for this request; the same records are meant here.", erase);
        Assert.Contains(erase, l => l.StartsWith("event feedback: delete it", StringComparison.Ordinal));
        Assert.Contains(erase, l => l.StartsWith("attendance: anonymise it: keep the rating and the month it was given", StringComparison.Ordinal));
        Assert.Equal(["Set Name to \"Ann Smith\" wherever the system holds it about the person."], OwnerTaskPurposes.Todo(OwnerTaskPurposes.Rectification, Sheet, 1, [("Name", "Ann Smith")]));
        Assert.Contains("Mark each record: Restricted = yes.", OwnerTaskPurposes.Todo(OwnerTaskPurposes.Restriction, Sheet, 1, []));
    }

    [Fact]
    public void TheOwnersEmail_NamesTheRequestAndSystem_NeverThePerson()
    {
        var mail = Domain.Emails.EmailComposer.OwnerTask("events@jml.example", "DSR-2026-00042", "Events spreadsheet", OwnerTaskPurposes.Gather,
            new Domain.Emails.EmailLink("Send the records", "https://dsr.example/api/owner-tasks?token=t"), new DateOnly(2026, 12, 6));
        Assert.Equal("[DSR-2026-00042] Action needed: Events spreadsheet — send the person's records", mail.Subject);
        Assert.Contains("Please answer by Sunday 6 December 2026", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Who the person is, and what to do, are on the page behind the link", mail.Text, StringComparison.Ordinal);
        var reminder = Domain.Emails.EmailComposer.OwnerTask("events@jml.example", "DSR-2026-00042", "Events spreadsheet", OwnerTaskPurposes.Erasure,
            new Domain.Emails.EmailLink("See what to do and confirm", "https://dsr.example/api/owner-tasks?token=u"), new DateOnly(2026, 12, 6), reminder: 2);
        Assert.Equal("[DSR-2026-00042] Reminder 2: Events spreadsheet — erase the person's data and confirm", reminder.Subject);
        Assert.Contains("is to be erased", reminder.Text, StringComparison.Ordinal);
    }
}
