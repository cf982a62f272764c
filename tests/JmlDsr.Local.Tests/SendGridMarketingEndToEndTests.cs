using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using JmlDsr.Functions.Mail;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// JML's mailing lists in SendGrid (the data map's <c>sendgrid-marketing</c> system), through the SendGrid API client against
/// the local host's stand-in of SendGrid's contacts and global suppression endpoints: found for a copy, suppressed by an
/// objection (while the answer to the objection still reaches the person), and deleted by an erasure.
/// </summary>
public sealed class SendGridMarketingEndToEndTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Alice = "alice.smith@example.com";
    private const string Dan = "dan.brown@example.co.uk";
    private const string Privacy = "privacy@jmlsoftware.co.uk";

    [Fact]
    public async Task AnAccessCopy_HoldsTheSendGridContact_UnderTheDataMapsLabels()
    {
        var reference = await host.PostRequestAsync("sendgrid-access-1@mail.example.com", "Alice Smith <alice.smith@example.com>", "Subject access request", "Please send me a copy of all my personal data.");
        await host.ConfirmAsync(reference, Alice);
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var fulfilment = await host.WaitForMailAsync(reference, Alice, "Your personal data");
        var copy = await host.Http.GetFromJsonAsync<JsonElement>(LocalHostFixture.DownloadLink(fulfilment) + "&format=json");
        var lists = copy.GetProperty("systems").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "marketing-contacts");
        Assert.Equal("Marketing mailing lists (SendGrid)", lists.GetProperty("name").GetString());
        Assert.Equal("SendGrid marketing contacts and global suppressions by email address", lists.GetProperty("searchedBy").GetString());
        var contact = Assert.Single(lists.GetProperty("records").EnumerateArray());
        Assert.Equal("Alice", contact.GetProperty("first_name").GetString());
        Assert.Equal("product-news, events", contact.GetProperty("list_ids").GetString());
        Assert.Equal("Smith Analytics Ltd", contact.GetProperty("company").GetString());
        Assert.DoesNotContain("Dan", lists.GetRawText(), StringComparison.Ordinal);

        var html = await host.Http.GetStringAsync(LocalHostFixture.DownloadLink(fulfilment) + "&format=html");
        Assert.Contains("<strong>Mailing lists</strong>: product-news, events", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnObjection_PutsTheAddressOnSendGridsSuppressionList_TheAnswerStillArrives_AndAnErasureDeletesTheContact()
    {
        Assert.Single(await ContactsAsync(Dan));
        Assert.False(await SuppressedAsync(Dan));

        var objection = await host.PostRequestAsync("sendgrid-objection-1@mail.example.com", "Dan Brown <dan.brown@example.co.uk>", "Unsubscribe",
            "Please stop sending me marketing emails.");
        await host.ConfirmAsync(objection, Dan);
        var answer = await host.WaitForMailAsync(objection, Dan, "We have stopped all marketing to you");
        Assert.Contains("Marketing mailing lists (SendGrid): your email address alone", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(await SuppressedAsync(Dan));
        Assert.False(await SuppressedAsync(Alice));

        // SendGrid drops mail to a suppressed address unless it bypasses unsubscribes: the answer to his objection is delivered.
        var sends = new TableServiceClient(host.StorageConnectionString).GetTableClient(Functions.Storage.DsrStorage.SendsTable);
        await host.WaitUntilAsync(async () => (await sends.GetEntityIfExistsAsync<TableEntity>(objection, "outcome-objection-marketing")).Value?.GetString(SendRow.LastEvent) == "delivered",
            TimeSpan.FromSeconds(60), "SendGrid's delivered event for the answer to the objection");

        // His erasure deletes the contact; the address stays on the suppression list, so no campaign ever reaches him again.
        var erasure = await host.PostRequestAsync("sendgrid-erasure-1@mail.example.com", "Dan Brown <dan.brown@example.co.uk>", "Right to erasure", "Please erase all my personal data.");
        await host.ConfirmAsync(erasure, Dan);
        var decision = await host.WaitForMailAsync(erasure, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var done = await host.WaitForMailAsync(erasure, Dan, "We have erased your data");
        Assert.Contains("Marketing mailing lists (SendGrid)", done.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("your email address alone, on the suppression list of our email service (SendGrid)", done.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(await ContactsAsync(Dan));
        Assert.True(await SuppressedAsync(Dan));
        Assert.Single(await ContactsAsync(Alice)); // nobody else's contact goes
    }

    [Fact]
    public async Task TheStandIn_AnswersAsSendGridDoes_RefusingAMissingKey_AndNeverDeletingEveryContact()
    {
        using (var anonymous = await host.Http.PostAsync($"{host.BaseUrl}/v3/marketing/contacts/search/emails", Json(new { emails = new[] { Alice } })))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var unknown = await SendAsync(HttpMethod.Post, "/v3/marketing/contacts/search/emails", new { emails = new[] { "nobody@example.com" } }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using var all = await SendAsync(HttpMethod.Delete, "/v3/marketing/contacts?delete_all_contacts=true");
        Assert.Equal(HttpStatusCode.BadRequest, all.StatusCode);
        Assert.Single(await ContactsAsync(Alice));
    }

    private async Task<IReadOnlyList<JsonElement>> ContactsAsync(string email)
    {
        using var response = await SendAsync(HttpMethod.Post, "/v3/marketing/contacts/search/emails", new { emails = new[] { email } });
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        var result = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result");
        return [.. result.EnumerateObject().Where(p => p.Value.TryGetProperty("contact", out _)).Select(p => p.Value.GetProperty("contact"))];
    }

    private async Task<bool> SuppressedAsync(string email)
    {
        using var response = await SendAsync(HttpMethod.Get, "/v3/asm/suppressions/global/" + Uri.EscapeDataString(email));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("recipient_email", out _);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, host.BaseUrl + path) { Content = body is null ? null : Json(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "SG.test-marketing-key");
        return await host.Http.SendAsync(request);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
