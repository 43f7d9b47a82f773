#if NET6_0_OR_GREATER
using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Eindkomst
{
    /// <summary>
    /// .NET 6+: loads the library named by the <c>EINDKOMST_LIBRARY</c>
    /// environment variable (a path to libeindkomst.so) when it is set; else the
    /// runtime's usual search (the app's directory, <c>runtimes/linux-x64/native</c>,
    /// <c>LD_LIBRARY_PATH</c>).
    /// </summary>
    internal static class LibraryResolver
    {
        private static int registered;

        internal static void Register()
        {
            if (System.Threading.Interlocked.Exchange(ref registered, 1) == 1) return;
            NativeLibrary.SetDllImportResolver(typeof(LibraryResolver).Assembly, Resolve);
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        {
            if (name != NativeMethods.Library) return IntPtr.Zero;
            string file = Environment.GetEnvironmentVariable("EINDKOMST_LIBRARY");
            return string.IsNullOrEmpty(file) ? IntPtr.Zero : NativeLibrary.Load(Path.GetFullPath(file));
        }
    }
}
#endif
