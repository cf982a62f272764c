namespace JmlDsr.Pages;

/// <summary>The one stylesheet (site.css, embedded): inlined by the layout, since the policy loads nothing from elsewhere.</summary>
public static class Stylesheet
{
    public static string Css { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(Stylesheet).Assembly.GetManifestResourceStream("JmlDsr.Pages.site.css")
            ?? throw new InvalidOperationException("site.css is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
