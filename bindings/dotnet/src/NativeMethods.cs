using System;
using System.Runtime.InteropServices;

namespace Eindkomst
{
    /// <summary>
    /// P/Invoke declarations of the C ABI in <c>include/eindkomst.h</c>. Every
    /// argument is blittable (pointers, integers, <see cref="DecoderHandle"/>),
    /// so the marshalling stubs only pin; one call moves a whole batch.
    /// <c>size_t</c> is <see cref="UIntPtr"/>.
    /// </summary>
    internal static unsafe class NativeMethods
    {
        internal const string Library = "eindkomst";

        internal const uint StatusOk = 0;
        internal const uint StatusFindingsFull = 5;

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
        internal static extern uint eik_decoder_new(EikOptions* options, out DecoderHandle handle);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void eik_decoder_free(IntPtr dec);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_decode(DecoderHandle dec, byte* input, UIntPtr len, EikRecord* output,
            UIntPtr cap, out UIntPtr nOut, out UIntPtr consumed);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_finish(DecoderHandle dec, EikRecord* output, UIntPtr cap, out UIntPtr nOut,
            out byte done);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_take_findings(DecoderHandle dec, EikError* output, UIntPtr cap,
            out UIntPtr nOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_decoder_counts(DecoderHandle dec, EikCounts* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern UIntPtr eik_layout_count();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_layout_at(UIntPtr index, EikLayout* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_layout_field(UIntPtr layoutIndex, UIntPtr fieldIndex, EikField* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_filter_options_default(EikFilterOptions* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_filter_new(EikFilterOptions* options, out FilterHandle handle);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void eik_filter_free(IntPtr f);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_filter_records(FilterHandle f, EikRecord* input, UIntPtr nIn,
            EikKeptRecord* output, UIntPtr cap, out UIntPtr nOut, out UIntPtr nUsed);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_filter_finish(FilterHandle f);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_filter_get_counts(FilterHandle f, EikFilterCounts* output);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint eik_pseudonymise(byte* key, UIntPtr keyLen, byte* cpr, UIntPtr cprLen, byte* output);

        /// <summary>Throws <see cref="EindkomstNativeException"/> unless <paramref name="status"/> is OK.</summary>
        internal static void Check(string function, uint status)
        {
            if (status != StatusOk)
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
    }

#pragma warning disable 649 // fields written by native code
    [StructLayout(LayoutKind.Sequential)]
    internal struct EikOptions
    {
        internal byte Strict;
        internal byte Base64;
        internal byte UnknownCodesReject;
        internal byte AmountScale;
        internal uint PersonLayout;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct EikRecord
    {
        internal byte* Bytes;
        internal UIntPtr Len;
        internal ulong Line;
        internal ulong Offset;
        internal ulong Seq;
        internal uint LbNr;
        internal ushort RecordType;
        internal ushort LayoutIndex;
        internal uint Source;
        internal uint Reserved;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct EikError
    {
        internal ulong Seq;
        internal ulong Line;
        internal ulong Offset;
        internal IntPtr Code;
        internal IntPtr Message;
        internal IntPtr FieldName;
        internal uint Finding;
        internal uint Kind;
        internal uint LbNr;
        internal uint Expected;
        internal uint Found;
        internal ushort Record;
        internal byte FieldNo;
        internal byte HasLbNr;
        internal byte HasRecord;
        internal byte HasField;
        internal ushort Reserved0;
        internal uint Reserved1;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct EikTypeCount
    {
        internal ulong Decoded;
        internal ulong Rejected;
        internal ushort RecordType;
        internal ushort Reserved0;
        internal uint Reserved1;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct EikCounts
    {
        internal const int Types = 32;
        internal ulong Lines;
        internal ulong Decoded;
        internal ulong Rejected;
        internal ulong Warnings;
        internal ulong Errors;
        internal ulong Suppressed;
        internal ulong Bytes;
        internal ulong RejectedUntyped;
        internal fixed byte ByType[Types * 24]; // EikTypeCount[32]
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct EikLayout
    {
        internal IntPtr Name;
        internal IntPtr Variant;
        internal uint Index;
        internal uint NFields;
        internal ushort RecordType;
        internal ushort Length;
        internal uint Reserved;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct EikField
    {
        internal IntPtr Name;
        internal uint FieldType;
        internal uint Format;
        internal uint Mandatory;
        internal ushort Start;
        internal ushort Len;
        internal byte No;
        internal byte Decimals;
        internal byte Personal;
        internal byte HasCodes;
        internal uint Reserved;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct EikProfileEntry
    {
        internal ulong Fields;
        internal ushort RecordType;
        internal ushort Reserved0;
        internal uint Reserved1;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct EikFilterOptions
    {
        internal byte* Cprs;
        internal UIntPtr NCprs;
        internal uint* SeNrs;
        internal UIntPtr NSeNrs;
        internal ushort* RecordTypes;
        internal UIntPtr NRecordTypes;
        internal ushort* Feltnumre;
        internal UIntPtr NFeltnumre;
        internal EikProfileEntry* ProfileRecords;
        internal UIntPtr NProfileRecords;
        internal ushort* ProfileFeltnumre;
        internal UIntPtr NProfileFeltnumre;
        internal byte* PseudonymKey;
        internal UIntPtr PseudonymKeyLen;
        internal uint PeriodFrom;
        internal uint PeriodTo;
        internal uint Profile;
        internal uint Reserved;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct EikKeptRecord
    {
        internal const int PseudonymLen = 16;
        internal EikRecord Record;
        internal fixed byte Pseudonym[PseudonymLen];
        internal byte HasPseudonym;
        internal byte Reserved0;
        internal ushort Reserved1;
        internal uint Reserved2;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct EikFilterCounts
    {
        internal ulong Seen;
        internal ulong Passed;
        internal ulong Held;
        internal ulong Cpr;
        internal ulong Se;
        internal ulong RecordType;
        internal ulong Felt;
        internal ulong Period;
        internal ulong ParentDropped;
        internal ulong EmptyHeader;
    }
#pragma warning restore 649

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

    /// <summary>The native filter handle; freed once, by the runtime, when disposed or finalized.</summary>
    internal sealed class FilterHandle : SafeHandle
    {
        public FilterHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.eik_filter_free(handle);
            return true;
        }
    }

    /// <summary>
    /// A call into the native library returned a status other than OK: a bug in
    /// this binding or in the engine (e.g. a caught panic), never a problem of the
    /// input. Problems of the input are <see cref="EindkomstException"/>s or
    /// <see cref="Finding"/>s.
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
