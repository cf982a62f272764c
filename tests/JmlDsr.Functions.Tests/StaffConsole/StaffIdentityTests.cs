using System.Text;
using System.Text.Json;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.StaffConsole;
using Xunit;

namespace JmlDsr.Functions.Tests.StaffConsole;

/// <summary>Who App Service authentication says signed in (X-MS-CLIENT-PRINCIPAL), and which routes the app roles admit.</summary>
public sealed class StaffIdentityTests
{
    private const string Oid = "7f3c1a2b-0000-4000-8000-000000000042";

    private static string Principal(params (string Type, string Value)[] claims) => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        auth_typ = "aad",
        name_typ = "name",
        role_typ = "roles",
        claims = claims.Select(c => new { typ = c.Type, val = c.Value }),
    })));

    [Fact]
    public void APlatformPrincipal_GivesNameObjectIdAndRoles_AndTheAuditActorNamesBoth()
    {
        var identity = StaffAuth.PlatformPrincipal(Principal(("name", "Priya Patel"), ("http://schemas.microsoft.com/identity/claims/objectidentifier", Oid), ("roles", StaffRoles.Staff)));

        Assert.NotNull(identity);
        Assert.Equal(("Priya Patel", Oid, StaffIdentity.Entra), (identity.Name, identity.Id, identity.Kind));
        Assert.Equal([StaffRoles.Staff], identity.Roles);
        Assert.Equal($"Priya Patel [oid {Oid}]", identity.Actor);
        Assert.False(identity.IsDpo);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("e30=")] // {} : no claims
    public void AMissingOrMalformedPrincipal_IsNobody(string header) => Assert.Null(StaffAuth.PlatformPrincipal(header));

    [Fact]
    public void APrincipalWithoutAnObjectId_IsNobody() =>
        Assert.Null(StaffAuth.PlatformPrincipal(Principal(("name", "Someone"), ("roles", StaffRoles.Staff))));

    [Theory]
    [InlineData(RouteAccess.Staff, StaffRoles.Staff, true)]
    [InlineData(RouteAccess.Staff, StaffRoles.Dpo, true)]
    [InlineData(RouteAccess.Console, StaffRoles.Staff, true)]
    [InlineData(RouteAccess.Dpo, StaffRoles.Staff, false)]
    [InlineData(RouteAccess.Dpo, StaffRoles.Dpo, true)]
    [InlineData(RouteAccess.Staff, "Finance.Reader", false)]
    [InlineData(RouteAccess.Console, "", false)]
    public void TheAppRoles_AdmitTheirRoutes(RouteAccess access, string role, bool admitted) =>
        Assert.Equal(admitted, StaffRoles.Admit(access, role.Length == 0 ? [] : [role]));
}
