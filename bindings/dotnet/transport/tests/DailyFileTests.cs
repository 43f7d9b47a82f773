namespace Eindkomst.Transport.Tests
{
    internal static class DailyFileTests
    {
        internal static void Register()
        {
        }
    }
}
