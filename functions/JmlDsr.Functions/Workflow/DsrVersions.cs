using Microsoft.DurableTask;

namespace JmlDsr.Functions.Workflow;

/// <summary>
/// The versions of the request workflows (Durable Task orchestration versioning). A new orchestration starts at the
/// host's default version (host.json <c>durableTask.defaultVersion</c> in Azure; <c>LocalHost__WorkflowVersion</c>
/// locally, <see cref="Current"/> by default) and keeps it for life; the worker runs instances of its own version or
/// older (<c>CurrentOrOlder</c>) and leaves newer ones for a newer worker (<c>Reject</c>). A change that would alter the
/// history of instances in flight is written behind <see cref="AtLeast"/>, so old instances replay as they ran; the old
/// branch is deleted once none of that version is left running.
/// </summary>
public static class DsrVersions
{
    /// <summary>
    /// Version 2: the statutory part ends with the response (retention erasures and restriction lifts are scheduled work
    /// with short workflows of their own), and a step that fails after its retries waits visibly with an automatic retry.
    /// Before it (unversioned, "1"): the workflow waited for the tails itself and a failed step waited for staff only.
    /// </summary>
    public const string ShortWorkflows = "2";

    /// <summary>
    /// Version 3: identity is checked in proportion (Art 12(6)): nothing is asked where it is not in doubt, another address
    /// or number where the address is on no record, an agent's authority; a request opened beside another from one
    /// message (access then erasure) waits for it; staff can ask for ID at the decision step.
    /// </summary>
    public const string ProportionateIdentity = "3";

    /// <summary>
    /// Version 4: systems are under staff's control, one by one. A system waits instead of failing while it is paused or
    /// its owner (an owner-task system) has not answered; staff retry, skip with a reason or mark done by hand any one
    /// system from the console; owner-task systems confirm each right done by hand before the outcome is sent.
    /// </summary>
    public const string SystemControl = "4";

    /// <summary>The version this build starts new workflows at.</summary>
    public const string Current = SystemControl;

    /// <summary>Whether the instance runs at <paramref name="version"/> or later (an unversioned instance is older than any version).</summary>
    public static bool AtLeast(TaskOrchestrationContext context, string version)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.CompareVersionTo(version) >= 0;
    }
}
