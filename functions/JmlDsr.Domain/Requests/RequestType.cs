namespace JmlDsr.Domain.Requests;

/// <summary>What the person asks for. <see cref="Unclassified"/> still counts as received and goes to staff.</summary>
public enum RequestType
{
    Unclassified = 0,

    /// <summary>Art 15: a copy of the personal data and the supplementary information.</summary>
    Access,

    /// <summary>Art 16: correct inaccurate data, complete incomplete data.</summary>
    Rectification,

    /// <summary>Art 18: keep the data but stop using it.</summary>
    Restriction,

    /// <summary>Art 17: erase without undue delay unless an exception applies.</summary>
    Erasure,

    /// <summary>
    /// DPA 2018 s 164A: a complaint about how JML handled the person's data — not a request to exercise a right.
    /// Acknowledged within 30 days, answered with the outcome without undue delay; never a statutory DSR deadline.
    /// </summary>
    Complaint,

    /// <summary>
    /// Art 21: to direct marketing — absolute, it stops at once (Art 21(2)-(3)); to other processing on legitimate interests
    /// or a public task — it stops unless JML shows compelling legitimate grounds (Art 21(1)). See <see cref="ObjectionScope"/>.
    /// </summary>
    Objection,
}

public static class RequestTypes
{
    public static string ToWire(this RequestType type) => type switch
    {
        RequestType.Access => "access",
        RequestType.Rectification => "rectification",
        RequestType.Restriction => "restriction",
        RequestType.Erasure => "erasure",
        RequestType.Complaint => "complaint",
        RequestType.Objection => "objection",
        _ => "unclassified",
    };

    public static bool TryParseWire(string? value, out RequestType type)
    {
        type = value?.Trim().ToLowerInvariant() switch
        {
            "access" => RequestType.Access,
            "rectification" => RequestType.Rectification,
            "restriction" => RequestType.Restriction,
            "erasure" => RequestType.Erasure,
            "complaint" => RequestType.Complaint,
            "objection" => RequestType.Objection,
            "unclassified" => RequestType.Unclassified,
            _ => (RequestType)(-1),
        };
        return Enum.IsDefined(type);
    }

    /// <summary>The type for a stored wire name; anything unknown is <see cref="RequestType.Unclassified"/>.</summary>
    public static RequestType FromWire(string? value) => TryParseWire(value, out var type) ? type : RequestType.Unclassified;

    /// <summary>The rights JML's privacy policy promises (Art 15–18 and 21), which run the DSR workflow and its statutory clock (one month, Art 12(3)).</summary>
    public static bool IsRight(this RequestType type) =>
        type is RequestType.Access or RequestType.Rectification or RequestType.Restriction or RequestType.Erasure or RequestType.Objection;

    public static string Article(this RequestType type) => type switch
    {
        RequestType.Access => "Art 15",
        RequestType.Rectification => "Art 16",
        RequestType.Restriction => "Art 18",
        RequestType.Erasure => "Art 17",
        RequestType.Complaint => "DPA 2018 s 164A",
        RequestType.Objection => "Art 21",
        _ => "—",
    };

    public static string Title(this RequestType type) => type switch
    {
        RequestType.Access => "Access to personal data",
        RequestType.Rectification => "Rectification of personal data",
        RequestType.Restriction => "Restriction of processing",
        RequestType.Erasure => "Erasure of personal data",
        RequestType.Complaint => "Complaint about our handling of personal data",
        RequestType.Objection => "Objection to processing",
        _ => "Unclassified request",
    };
}
