using Microsoft.AspNetCore.Http;

namespace JmlDsr.Functions.Http;

/// <summary>GET api/openapi.json: the checked-in OpenAPI document (openapi/jmldsr.openapi.json), embedded in the app.</summary>
public sealed class ApiDocument
{
    public const string ResourceName = "JmlDsr.openapi.json";

    private static readonly Lazy<byte[]> Document = new(() =>
    {
        using var stream = typeof(ApiDocument).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The app was built without {ResourceName}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The document's bytes (UTF-8 JSON).</summary>
    public static ReadOnlyMemory<byte> Json => Document.Value;

    /// <summary>The document as the route answers it.</summary>
#pragma warning disable CA1822 // An instance method: the route resolves the handler from the container, as every route does.
    public IResult Get() => Results.Bytes(Document.Value, "application/json");
#pragma warning restore CA1822
}
