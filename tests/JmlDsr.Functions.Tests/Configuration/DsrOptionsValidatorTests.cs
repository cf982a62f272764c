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

    [Theory]
    [InlineData("00:15:00", "01:00:00", true)]
    [InlineData("00:00:00", "00:05:00", true)]
    [InlineData("2.00:00:00", "01:00:00", false)]
    [InlineData("-00:01:00", "01:00:00", false)]
    [InlineData("00:15:00", "00:00:00", false)]
    [InlineData("00:15:00", "2.00:00:00", false)]
    public void WatchdogGraceAndInterval_AreRangeChecked(string grace, string interval, bool valid)
    {
        var options = Options("privacy@jmlsoftware.co.uk", "privacy@jmlsoftware.co.uk", loopGuard: true);
        options.PublicBaseUrl = "https://dsr.jmlsoftware.co.uk";
        options.WatchdogGrace = TimeSpan.Parse(grace, System.Globalization.CultureInfo.InvariantCulture);
        options.WatchdogInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture);
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        var ok = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true);

        Assert.True(ok == valid, string.Join("; ", results.Select(r => r.ErrorMessage)));
    }
}
