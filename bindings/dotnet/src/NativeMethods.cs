using System;
using System.Runtime.InteropServices;

namespace Eindkomst
{
    /// <summary>
    /// P/Invoke declarations of the C ABI 0.2 in <c>include/eindkomst.h</c>. Every
    /// argument is blittable (pointers, integers, <see cref="DecoderHandle"/>),
    /// so the marshalling stubs only pin; one call moves a whole batch. The
    /// structs, their layouts and the constants are generated from the library
    /// (<c>Generated.cs</c>); <c>size_t</c> is <see cref="UIntPtr"/> (64-bit only).
    /// </summary>
    internal static unsafe class NativeMethods
    {
        internal const string Library = "eindkomst";

        /// <summary>Call before the first P/Invoke: on .NET 6+, registers the resolver for
        /// <c>EINDKOMST_LIBRARY</c> (a no-op elsewhere).</summary>
        internal static void EnsureResolver()
        {
#if NET6_0_OR_GREATER
            LibraryResolver.Register();
#endif
        }

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr eik_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr eik_status_str(uint code);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_options_default(EikOptions* options);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_decoder_new(EikOptions* options, out DecoderHandle handle, byte* message,
            UIntPtr messageCap);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void eik_decoder_free(IntPtr dec);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_decode(DecoderHandle dec, byte* input, UIntPtr len, EikEvent* events,
            UIntPtr cap, EikBatch* batch);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_finish(DecoderHandle dec, EikEvent* events, UIntPtr cap, EikBatch* batch);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_decoder_counts(DecoderHandle dec, EikCounts* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_decoder_filter_counts(DecoderHandle dec, EikFilterCounts* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_profile_fields(DecoderHandle dec, ushort recordType, ulong* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr eik_family_employer();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_family_load(byte* json, UIntPtr len, out IntPtr family, byte* message,
            UIntPtr messageCap);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_family_describe(IntPtr family, EikFamilyInfo* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_family_layout(IntPtr family, uint index, EikLayout* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_family_field(IntPtr family, uint layout, uint field, EikField* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_check_field(EikOptions* options, ushort recordType, uint role, byte fieldNo,
            byte* value, UIntPtr len, EikFieldCheck* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_pseudonymise(byte* key, UIntPtr keyLen, byte* cpr, UIntPtr cprLen, byte* output);

        /// <summary>Throws <see cref="EindkomstNativeException"/> unless the status is OK.</summary>
        internal static void Check(string function, uint status)
        {
            if (status != Abi.StatusOk)
                throw new EindkomstNativeException(function, status, Utf8(eik_status_str(status)));
        }

        /// <summary>A static NUL-terminated UTF-8 string of the library.</summary>
        internal static string Utf8(IntPtr p)
        {
            if (p == IntPtr.Zero) return "";
            byte* s = (byte*)p;
            int n = 0;
            while (s[n] != 0) n++;
            return System.Text.Encoding.UTF8.GetString(s, n);
        }

        /// <summary>An <c>eik_str</c> as a string.</summary>
        internal static string Str(EikStr s) =>
            s.Len == 0 ? "" : System.Text.Encoding.UTF8.GetString((byte*)s.Ptr, (int)s.Len);

        /// <summary>A NUL-terminated message the library wrote into a buffer.</summary>
        internal static string Message(byte* m, int cap)
        {
            int n = 0;
            while (n < cap && m[n] != 0) n++;
            return System.Text.Encoding.UTF8.GetString(m, n);
        }
    }

    /// <summary>The native decoder handle; freed once, by the runtime, when disposed or finalized.</summary>
    internal sealed class DecoderHandle : SafeHandle
    {
        public DecoderHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.eik_decoder_free(handle);
            return true;
        }
    }

    /// <summary>
    /// A status other than OK from the native library: a bug or misuse of the
    /// binding (e.g. a caught panic), never a problem of the input. Problems of the
    /// input are <see cref="EindkomstException"/>s or <see cref="Finding"/>s.
    /// </summary>
    public sealed class EindkomstNativeException : Exception
    {
        internal EindkomstNativeException(string function, uint status, string description)
            : base($"{function} failed: {description} (status {status})")
        {
            Status = status;
        }

        /// <summary>The <c>eik_status</c> number.</summary>
        public uint Status { get; }
    }
}
