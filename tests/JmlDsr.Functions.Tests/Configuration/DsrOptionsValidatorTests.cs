using JmlDsr.Functions.Configuration;
using Xunit;

namespace JmlDsr.Functions.Tests.Configuration;

/// <summary>Start-up refuses settings that would make the product answer its own mail.</summary>
public sealed class DsrOptionsValidatorTests
{
    private static DsrOptions Options(string intake, string team, bool loopGuard) => new()
    {
        PrivacyTeamAddress = team, DpoAddress = "dpo@jmlsoftware.co.uk", FromAddress = "privacy@jmlsoftware.co.uk",
        IntakeAddresses = intake, LoopGuard = loopGuard,
    };

    [Theory]
    [InlineData("privacy@jmlsoftware.co.uk", "privacy@jmlsoftware.co.uk", true, true)]
    [InlineData("privacy@jmlsoftware.co.uk", "privacy@jmlsoftware.co.uk", false, false)]
    [InlineData("privacy@jmlsoftware.co.uk, dpo@jmlsoftware.co.uk", "team@jmlsoftware.co.uk", false, false)]
    [InlineData("privacy@jmlsoftware.co.uk", "privacy-team@jmlsoftware.co.uk", false, true)]
    [InlineData("not-an-address", "privacy-team@jmlsoftware.co.uk", true, false)]
    public void IntakeAlsoStaff_IsRefusedWithoutTheLoopGuard(string intake, string team, bool loopGuard, bool valid)
    {
        var result = new DsrOptionsValidator().Validate(null, Options(intake, team, loopGuard));
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Dsr:", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
