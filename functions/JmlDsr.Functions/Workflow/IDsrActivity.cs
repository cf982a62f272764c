namespace JmlDsr.Functions.Workflow;

/// <summary>
/// An activity both hosts run: the Functions app through its [ActivityTrigger] method, the local host
/// through <c>DsrTasks</c>. Dependencies come by constructor; the input is all it needs.
/// Activities run at least once, so each must be idempotent.
/// </summary>
public interface IDsrActivity<in TInput, TOutput>
{
    Task<TOutput> RunAsync(TInput input);
}
