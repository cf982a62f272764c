using System.IO.Compression;
using System.Text;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>The scanner's decoding: each form a value can be stored in is seen through.</summary>
public sealed class StorageScanTests
{
    private const string Email = "erin.green@example.com";

    [Theory]
    [InlineData("""{"to":"erin.green\u0040example.com"}""", "json-escaped")]
    [InlineData("""{"Input":"{\"to\":\"erin.green\\u0040example.com\"}"}""", "json-escaped+json-escaped")]
    [InlineData("https://x.example/api/legal-holds/erin.green%40example.com", "url-encoded")]
    [InlineData("<td>ERIN.GREEN&#64;EXAMPLE.COM</td>", "html")]
    [InlineData("plain Erin.Green@Example.com", "plain")]
    public void Forms_SeeThroughEscaping_CaseInsensitively(string stored, string form)
    {
        var hit = Assert.Single(new StorageSnapshot([new StoredText(new StorageLocation("table", "T", "p / r", "P"), stored)], [], new Dictionary<string, int>()).Find([Email]));
        Assert.Equal(form, hit.Form);
    }

    [Fact]
    public void Forms_ReadBase64RunsInsideText_AsTokensCarryThem()
    {
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"r":"DSR-1","e":"{{Email}}"}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var forms = StorageScan.Forms($"https://x.example/api/links?token={token}.c2ln").ToList();
        Assert.Contains(forms, f => f.Form == "base64" && f.Text.Contains(Email, StringComparison.Ordinal));
    }

    [Fact]
    public void Decode_GunzipsGzip_AndReadsOtherBytesAsUtf8()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes("large message about " + Email));
        }

        Assert.Equal("large message about " + Email, StorageScan.Decode(ms.ToArray()));
        Assert.Equal("café", StorageScan.Decode(Encoding.UTF8.GetBytes("café")));
        Assert.Equal("hello world, base64", Encoding.UTF8.GetString(StorageScan.TryBase64(Convert.ToBase64String(Encoding.UTF8.GetBytes("hello world, base64")))!));
        Assert.Null(StorageScan.TryBase64("{\"not\":\"base64\"}"));
    }
}
