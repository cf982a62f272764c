using JmlDsr.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace JmlDsr.Functions.Http;

/// <summary>Problem details (RFC 9457) and the small HTML pages links open.</summary>
public static class Responses
{
    public static IResult Problem(int status, string title, string detail, string? field = null, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>());
        if (field is not null)
        {
            extensions["field"] = field;
        }

        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    /// <summary>A link page that says one thing (a refusal, an expiry), rendered by its component.</summary>
    public static IResult Notice(int status, string title, string message, string? reference = null, string? then = null) =>
        new ComponentPageResult<NoticePage>(status, new Dictionary<string, object?>
        {
            [nameof(NoticePage.Title)] = title,
            [nameof(NoticePage.Message)] = message,
            [nameof(NoticePage.Reference)] = reference,
            [nameof(NoticePage.Then)] = then,
        });
}

/// <summary>Lets a Functions trigger return the <see cref="IResult"/> a shared handler produced.</summary>
public sealed class ResultAction(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return result.ExecuteAsync(context.HttpContext);
    }
}
