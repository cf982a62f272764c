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

    /// <summary>
    /// The shape App Service documents for the header ("Decode the client principal header",
    /// https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities): claims after its default
    /// claim mapping, so the object id and the role come under their long claim-type URIs and role_typ names the role's.
    /// </summary>
    [Fact]
    public void APrincipalAsAppServiceMapsItsClaims_GivesTheSameIdentity()
    {
        const string RoleType = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
        var header = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            auth_typ = "aad",
            claims = new[]
            {
                new { typ = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", val = "priya.patel@jmlsoftware.co.uk" },
                new { typ = "name", val = "Priya Patel" },
                new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = Oid },
                new { typ = RoleType, val = StaffRoles.Dpo },
                new { typ = "http://schemas.microsoft.com/identity/claims/tenantid", val = "33333333-3333-3333-3333-333333333333" },
            },
            name_typ = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            role_typ = RoleType,
        })));

        var identity = StaffAuth.PlatformPrincipal(header);

        Assert.NotNull(identity);
        Assert.Equal($"Priya Patel [oid {Oid}]", identity.Actor);
        Assert.True(identity.IsDpo);
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
