namespace JmlDsr.Functions.Http;

/// <summary>HTTP routes (under /api), shared by the Functions triggers and the local host.</summary>
public static class Routes
{
    public const string Prefix = "api";
    public const string Inbound = "inbound/sendgrid";
    public const string Requests = "requests";
    public const string Request = "requests/{reference}";
    public const string RequestType = "requests/{reference}/type";
    public const string Links = "links";
    public const string Exports = "exports";

    /// <summary>The header that carries the staff key (the Functions function-key convention).</summary>
    public const string StaffKeyHeader = "x-functions-key";
}
