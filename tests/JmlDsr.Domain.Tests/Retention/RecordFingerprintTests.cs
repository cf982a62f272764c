using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Retention;
using Xunit;

namespace JmlDsr.Domain.Tests.Retention;

public sealed class RecordFingerprintTests
{
    private static PersonalRecord R(string category, params (string Key, string? Value)[] fields) =>
        new(category, fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal));

    private static readonly PersonalRecord Contact = R("customer contact", ("Name", "Alice Smith"), ("Phone", "01632 960123"), ("Company", "Smith Analytics Ltd"));

    [Fact]
    public void Hash_IsLowerCaseSha256Hex_WithoutTheValues()
    {
        var hash = RecordFingerprint.Hash(SystemCatalog.Crm, Contact);

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.DoesNotContain("Alice", hash, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Hash_IgnoresTheOrderOfFields()
    {
        var reordered = R("customer contact", ("Company", "Smith Analytics Ltd"), ("Phone", "01632 960123"), ("Name", "Alice Smith"));
        Assert.Equal(RecordFingerprint.Hash(SystemCatalog.Crm, Contact), RecordFingerprint.Hash(SystemCatalog.Crm, reordered));
    }

    public static TheoryData<string, string, PersonalRecord> Different() => new()
    {
        { "another system", SystemCatalog.Contracts, Contact },
        { "another category", SystemCatalog.Crm, R("supplier contact", ("Name", "Alice Smith"), ("Phone", "01632 960123"), ("Company", "Smith Analytics Ltd")) },
        { "another value", SystemCatalog.Crm, R("customer contact", ("Name", "Alice Smith"), ("Phone", "01632 960124"), ("Company", "Smith Analytics Ltd")) },
        { "another key", SystemCatalog.Crm, R("customer contact", ("Name", "Alice Smith"), ("Mobile", "01632 960123"), ("Company", "Smith Analytics Ltd")) },
        { "a field fewer", SystemCatalog.Crm, R("customer contact", ("Name", "Alice Smith"), ("Phone", "01632 960123")) },
        { "a case change", SystemCatalog.Crm, R("customer contact", ("Name", "alice smith"), ("Phone", "01632 960123"), ("Company", "Smith Analytics Ltd")) },
    };

    [Theory]
    [MemberData(nameof(Different))]
    public void Hash_Changes_WhenAnythingAboutTheRecordChanges(string change, string system, PersonalRecord record)
    {
        Assert.False(string.IsNullOrEmpty(change));
        Assert.NotEqual(RecordFingerprint.Hash(SystemCatalog.Crm, Contact), RecordFingerprint.Hash(system, record));
    }

    [Fact]
    public void Hash_TellsNullFromEmpty_AndCannotBeFooledByMovingTheBoundary()
    {
        Assert.NotEqual(RecordFingerprint.Hash("crm", R("c", ("a", null))), RecordFingerprint.Hash("crm", R("c", ("a", ""))));
        Assert.NotEqual(RecordFingerprint.Hash("crm", R("c", ("a", "bc"))), RecordFingerprint.Hash("crm", R("c", ("ab", "c"))));
        Assert.NotEqual(RecordFingerprint.Hash("crm", R("c", ("a", "b"))), RecordFingerprint.Hash("crmc", R("", ("a", "b"))));
    }
}
