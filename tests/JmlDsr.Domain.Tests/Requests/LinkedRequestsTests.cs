using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Requests;

public sealed class LinkedRequestsTests
{
    private static readonly DateOnly Due = new(2026, 10, 1);

    [Theory]
    // access open, copy opened, today -> waits
    [InlineData(true, false, "2026-09-05", true)]
    [InlineData(true, true, "2026-09-30", true)]
    [InlineData(false, false, "2026-09-05", true)]
    [InlineData(false, false, "2026-09-23", true)]
    [InlineData(false, false, "2026-09-24", false)]
    [InlineData(false, true, "2026-09-05", false)]
    public void Erasure_WaitsForTheAccessAnswer_ThenForTheCopyToBeOpened_ButNeverPastAWeekBeforeItsOwnDueDate(bool accessOpen, bool copyOpened, string today, bool waits)
    {
        var why = LinkedRequests.ErasureWaitsFor("DSR-2026-000002", accessOpen, copyOpened, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture), Due);

        Assert.Equal(waits, why is not null);
        if (why is not null)
        {
            Assert.Contains("DSR-2026-000002", why, StringComparison.Ordinal);
        }
    }
}
