namespace JmlDsr.Functions.Http;

/// <summary>
/// HTTP routes, shared by the Functions triggers and the local host. host.json sets routePrefix to ""
/// so that the API lives under /api and the staff console under /console in both hosts.
/// </summary>
public static class Routes
{
    public const string Inbound = "api/inbound/sendgrid";
    public const string MailEvents = "api/events/sendgrid";
    public const string SetAside = "api/inbound/set-aside";
    public const string SetAsideOpen = "api/inbound/set-aside/{id}/open";
    public const string Requests = "api/requests";
    public const string Request = "api/requests/{reference}";
    public const string RequestType = "api/requests/{reference}/type";
    public const string Evidence = "api/requests/{reference}/evidence";

    /// <summary>Runs the retention schedule now (it also runs hourly): staff and operators.</summary>
    public const string Housekeeping = "api/housekeeping/run";

    /// <summary>Runs the deadline watchdog now (it also runs hourly): staff and operators.</summary>
    public const string Watchdog = "api/watchdog/run";

    public const string LegalHolds = "api/legal-holds";
    public const string LegalHold = "api/legal-holds/{id}";
    public const string Links = "api/links";
    public const string Exports = "api/exports";

    /// <summary>The page an owner-task system's owner opens from their email: send the person's records, or confirm a right done.</summary>
    public const string OwnerTasks = "api/owner-tasks";

    /// <summary>Health of storage, the task hub and SendGrid: the status for anyone, the checks for staff.</summary>
    public const string Health = "api/health";

    /// <summary>The OpenAPI document of the public and staff HTTP API.</summary>
    public const string OpenApi = "api/openapi.json";

    public const string Console = "console";
    public const string ConsoleSignIn = "console/signin";
    public const string ConsoleSignOut = "console/signout";
    public const string ConsoleRequest = "console/requests/{reference}";
    public const string ConsoleRequestAction = "console/requests/{reference}/action";
    public const string ConsoleDashboard = "console/dashboard";

    /// <summary>The queue's bulk form: approve, clarify or set aside many requests at once.</summary>
    public const string ConsoleBulk = "console/bulk";

    /// <summary>Staff pause and resume a system (the form of the Systems page).</summary>
    public const string ConsoleSystemAction = "console/systems/{id}/action";

    /// <summary>JML's record of processing (Art 30), from the data map.</summary>
    public const string ConsoleSystems = "console/systems";
    public const string ConsoleSetAside = "console/set-aside";
    public const string ConsoleSetAsideOpen = "console/set-aside/{id}/open";

    /// <summary>The header that carries the staff key (the Functions function-key convention).</summary>
    public const string StaffKeyHeader = "x-functions-key";
}
