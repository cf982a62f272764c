using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace JmlDsr.Pages;

/// <summary>Renders components to HTML (encoding by the framework) on the one <see cref="HtmlRenderer"/> of the app.</summary>
public sealed class PageRenderer(HtmlRenderer renderer)
{
    private static readonly Lazy<PageRenderer> Fallback = new(() =>
        new PageRenderer(new HtmlRenderer(new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance)));

    /// <summary>The app's renderer, or one of its own where a caller has no services (a unit test's context).</summary>
    public static PageRenderer For(IServiceProvider? services) => services?.GetService<PageRenderer>() ?? Fallback.Value;

    public Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters)
        where TComponent : IComponent =>
        renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
}

/// <summary>A page as a result: the component is rendered when the response is written.</summary>
public sealed class ComponentPageResult<TComponent>(int status, IDictionary<string, object?> parameters) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
    where TComponent : IComponent
{
    public int? StatusCode => status;

    public string ContentType => "text/html; charset=utf-8";

    public IDictionary<string, object?> Parameters => parameters;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var html = await PageRenderer.For(httpContext.RequestServices).RenderAsync<TComponent>(parameters);
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = ContentType;
        await httpContext.Response.WriteAsync(html, httpContext.RequestAborted);
    }
}

public static class PageServices
{
    /// <summary>One <see cref="HtmlRenderer"/> per app.</summary>
    public static IServiceCollection AddPages(this IServiceCollection services)
    {
        services.AddSingleton(sp => new HtmlRenderer(sp, sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        services.AddSingleton<PageRenderer>();
        services.AddSingleton<JmlDsr.Domain.Export.IHtmlCopyFormat, HtmlCopyFormat>();
        return services;
    }
}
