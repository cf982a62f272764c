using System.Text.Json;
using JmlDsr.Functions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace JmlDsr.Functions.Tests.Configuration;

/// <summary>Request lines carry URLs: the HTTP stacks log warnings only, in the Functions host (host.json) and in the worker.</summary>
public sealed class LoggingTests
{
    public static TheoryData<string> UrlCarryingCategories() => new(LogFilters.UrlCarryingCategories);

    [Theory]
    [InlineData("Microsoft.AspNetCore")]
    [InlineData("System.Net.Http.HttpClient")]
    public void HostJson_LogsTheHttpStacksAtWarning(string category)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")));
        var levels = doc.RootElement.GetProperty("logging").GetProperty("logLevel");
        Assert.True(levels.TryGetProperty(category, out var level), $"host.json sets no log level for {category}");
        Assert.Equal("Warning", level.GetString());
        Assert.Contains(category, LogFilters.UrlCarryingCategories);
    }

    [Theory]
    [MemberData(nameof(UrlCarryingCategories))]
    public void Worker_LogsTheHttpStacksAtWarning(string category)
    {
        using var provider = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddUrlLogFilters().AddProvider(new NullProvider())).BuildServiceProvider();
        var factory = provider.GetRequiredService<ILoggerFactory>();
        var logger = factory.CreateLogger(category + ".Hosting.Diagnostics");
        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
        Assert.True(factory.CreateLogger("JmlDsr.Functions.Approval.LinksHandler").IsEnabled(LogLevel.Information));
    }

    /// <summary>A provider that would write everything: what the filters leave enabled is what reaches it.</summary>
    private sealed class NullProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Everything();

        public void Dispose()
        {
        }

        private sealed class Everything : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
            }
        }
    }
}
