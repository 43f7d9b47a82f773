using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Text;

namespace Eindkomst
{
    /// <summary>A field's official type.</summary>
    public enum FieldType
    {
        /// <summary><c>N</c>: digits, zero-filled, right-aligned (all blanks when absent).</summary>
        Numeric = 0,
        /// <summary><c>A</c>: ISO-8859-1 text, blank-filled.</summary>
        Alpha = 1,
    }

    /// <summary>How a field's bytes are read beyond its type.</summary>
    public enum FieldFormat
    {
        /// <summary>A number or a text, read as it stands.</summary>
        Plain = 0,
        /// <summary>Unused positions.</summary>
        Filler = 1,
        /// <summary><c>YYYYMMDD</c>.</summary>
        Date = 2,
        /// <summary><c>HHMMSS</c>.</summary>
        Time = 3,
        /// <summary>Unsigned digits with the decoder's amount scale; the sign is the next field.</summary>
        Amount = 4,
        /// <summary>Unsigned digits with <see cref="Field.Decimals"/> decimals; the sign is the next field.</summary>
        Quantity = 5,
        /// <summary><c>+</c> or <c>-</c> of the field before it.</summary>
        Sign = 6,
    }

    /// <summary>What a field means, whatever it is called (a family file's <c>role</c>).</summary>
    public enum FieldRole
    {
        /// <summary>No special meaning.</summary>
        None = 0,
        /// <summary>The running line number (employer <c>Lb_nr</c>).</summary>
        LineNumber,
        /// <summary>The record key (employer <c>Rec_nr</c>).</summary>
        RecordKey,
        /// <summary>A person's CPR number (personal data).</summary>
        Cpr,
        /// <summary>The SE-nr of the reporting company.</summary>
        Se,
        /// <summary>The SE-nr of the file's sender.</summary>
        SenderSe,
        /// <summary>An SE/CVR-nr where a person would stand.</summary>
        PersonSe,
        /// <summary>First day of an income period.</summary>
        PeriodStart,
        /// <summary>Last day of an income period.</summary>
        PeriodEnd,
        /// <summary>The form field number an amount belongs to.</summary>
        Feltnummer,
        /// <summary>An amount (sign in the next field).</summary>
        Amount,
        /// <summary>A count of units (sign in the next field).</summary>
        Count,
        /// <summary>The <c>+</c>/<c>-</c> of the field before it.</summary>
        Sign,
        /// <summary>A foreign tax identification number.</summary>
        Tin,
        /// <summary>A country code.</summary>
        Country,
        /// <summary>The trailer's count of records.</summary>
        TrailerCount,
        /// <summary>The date the file was made.</summary>
        FileDate,
    }

    /// <summary>One field of a <see cref="Layout"/>: where it stands in the line and how to read it.</summary>
    public sealed class Field
    {
        internal Field(int no, string name, int start, int length, FieldType type, FieldFormat format,
            int decimals, bool personal, FieldRole role, bool tail)
        {
            No = no;
            Name = name;
            Start = start;
            Length = length;
            Type = type;
            Format = format;
            Decimals = decimals;
            Personal = personal;
            Role = role;
            Tail = tail;
        }

        /// <summary>Field number ("felt"), unique within the record.</summary>
        public int No { get; }
        /// <summary>Name as in the family's documentation ("Beloeb").</summary>
        public string Name { get; }
        /// <summary>0-based byte offset in the line.</summary>
        public int Start { get; }
        /// <summary>Length in bytes.</summary>
        public int Length { get; }
        /// <summary>N or A.</summary>
        public FieldType Type { get; }
        /// <summary>How to read it.</summary>
        public FieldFormat Format { get; }
        /// <summary>Decimals of a <see cref="FieldFormat.Quantity"/> field, else 0.</summary>
        public int Decimals { get; }
        /// <summary>A personal identifier (CPR): never log it.</summary>
        public bool Personal { get; }
        /// <summary>What the field means.</summary>
        public FieldRole Role { get; }
        /// <summary>Part of an optional tail: a line may end before it.</summary>
        public bool Tail { get; }

        /// <summary><c>4 Beloeb [15+16]</c>.</summary>
        public override string ToString() => $"{No} {Name} [{Start}+{Length}]";
    }

    /// <summary>One record layout of a <see cref="Family"/> (a record type, or a variant of one).</summary>
    public sealed class Layout
    {
        private readonly Field[] byNo = new Field[256];
        // The fields records read most, found once (-1: none).
        internal readonly int FeltStart = -1, FeltLen, AmountStart = -1, AmountLen, SignAt = -1, AmountDecimals = -1;

        internal Layout(int index, int recordType, string key, string name, string variant, int length, List<Field> fields)
        {
            Index = index;
            RecordType = recordType;
            Key = key;
            Name = name;
            Variant = variant;
            Length = length;
            Fields = new ReadOnlyCollection<Field>(fields);
            for (int i = 0; i < fields.Count; i++)
            {
                Field f = fields[i];
                byNo[f.No] = f;
                if (FeltStart < 0 && f.Role == FieldRole.Feltnummer)
                {
                    FeltStart = f.Start;
                    FeltLen = f.Length;
                }
                bool amount = f.Role == FieldRole.Amount || (f.Role == FieldRole.None && f.Format == FieldFormat.Amount);
                if (AmountStart < 0 && amount)
                {
                    AmountStart = f.Start;
                    AmountLen = f.Length;
                    if (f.Format == FieldFormat.Quantity) AmountDecimals = f.Decimals;
                    if (i + 1 < fields.Count && fields[i + 1].Format == FieldFormat.Sign) SignAt = fields[i + 1].Start;
                }
            }
        }

        internal static unsafe Layout Read(IntPtr family, int index)
        {
            EikLayout l;
            EikField f;
            NativeMethods.Check("eik_family_layout", NativeMethods.eik_family_layout(family, (uint)index, &l));
            var fields = new List<Field>((int)l.NFields);
            for (uint j = 0; j < l.NFields; j++)
            {
                NativeMethods.Check("eik_family_field", NativeMethods.eik_family_field(family, (uint)index, j, &f));
                fields.Add(new Field(f.No, NativeMethods.Str(f.Name), f.Start, f.Len, (FieldType)f.FieldType,
                    (FieldFormat)f.Format, f.Decimals, f.Personal != 0, (FieldRole)f.Role, f.Tail != 0));
            }
            return new Layout(index, l.RecordType, NativeMethods.Str(l.Key), NativeMethods.Str(l.Name),
                NativeMethods.Str(l.Variant), l.Length, fields);
        }

        /// <summary>The employer family's layouts: each record type's current layout first, then the variants.</summary>
        public static IReadOnlyList<Layout> All => Family.Employer.Layouts;

        /// <summary>The employer family's current layout of a record type (6001), or null.</summary>
        public static Layout Of(int recordType) => Family.Employer.Layout(recordType);

        /// <summary>Index in its family's tables.</summary>
        public int Index { get; }
        /// <summary>The record type (employer <c>Rec_nr</c>: 1000, 2001, ..., 9999).</summary>
        public int RecordType { get; }
        /// <summary>The record key as it stands in the file ("6001", "120").</summary>
        public string Key { get; }
        /// <summary>Short name ("Beløbsfelt").</summary>
        public string Name { get; }
        /// <summary>"" for the current layout, else the variant ("v7.1", "TaxCardBuilder").</summary>
        public string Variant { get; }
        /// <summary>Line length in bytes, without terminator.</summary>
        public int Length { get; }
        /// <summary>The fields in line order.</summary>
        public IReadOnlyList<Field> Fields { get; }

        /// <summary>Field number <paramref name="no"/>, or null.</summary>
        public Field Field(int no) => no >= 0 && no < byNo.Length ? byNo[no] : null;

        /// <summary>The first field named <paramref name="name"/>, or null.</summary>
        public Field Field(string name)
        {
            foreach (Field f in Fields)
                if (f.Name == name) return f;
            return null;
        }

        /// <summary>The first field with <paramref name="role"/>, or null.</summary>
        public Field Field(FieldRole role)
        {
            foreach (Field f in Fields)
                if (f.Role == role) return f;
            return null;
        }

        /// <summary><c>6001 Beløbsfelt</c>, with the variant.</summary>
        public override string ToString() => Key + " " + Name + (Variant.Length == 0 ? "" : " (" + Variant + ")");
    }

    /// <summary>What <see cref="Family.CheckField(int, FieldRole, string)"/> found.</summary>
    public sealed class FieldCheck
    {
        internal FieldCheck(FindingKind kind, int at, bool warning, int fieldNo, long expected, long found)
        {
            Kind = kind;
            At = at;
            Warning = warning;
            FieldNo = fieldNo;
            Expected = expected;
            Found = found;
        }

        /// <summary>The finding's kind (<c>FindingKinds.Code(Kind)</c>: "not_digit").</summary>
        public FindingKind Kind { get; }
        /// <summary>Byte position of the problem in the value.</summary>
        public int At { get; }
        /// <summary>Only a warning: the value is usable.</summary>
        public bool Warning { get; }
        /// <summary>The field checked.</summary>
        public int FieldNo { get; }
        /// <summary>The kind's first number (a length), else 0.</summary>
        public long Expected { get; }
        /// <summary>The kind's second number, else 0.</summary>
        public long Found { get; }
    }

    /// <summary>
    /// A record family: the employer reporting family (<see cref="Employer"/>, the default)
    /// or one loaded from its JSON description (docs/layouts.md). A family lives for the
    /// process; loading the same text again gives the same family. Thread-safe.
    /// </summary>
    public sealed class Family
    {
        private static Family employer;
        private readonly int records;

        internal IntPtr Handle { get; }

        private unsafe Family(IntPtr handle)
        {
            Handle = handle;
            EikFamilyInfo info;
            NativeMethods.Check("eik_family_describe", NativeMethods.eik_family_describe(handle, &info));
            Name = NativeMethods.Str(info.Name);
            records = (int)info.NRecords;
            Separator = (char)info.Separator;
            HasLineNumbers = info.HasLineNumbers != 0;
            var all = new List<Layout>((int)info.NLayouts);
            for (int i = 0; i < info.NLayouts; i++) all.Add(Eindkomst.Layout.Read(handle, i));
            Layouts = new ReadOnlyCollection<Layout>(all);
        }

        /// <summary>The built-in employer reporting family.</summary>
        public static Family Employer
        {
            get
            {
                if (employer == null)
                {
                    NativeMethods.EnsureResolver();
                    employer = new Family(NativeMethods.eik_family_employer());
                }
                return employer;
            }
        }

        /// <summary>A family from its JSON text.</summary>
        /// <exception cref="ArgumentException">The text is not a valid family (the engine's reason).</exception>
        public static unsafe Family FromJson(string json)
        {
            if (json == null) throw new ArgumentNullException(nameof(json));
            NativeMethods.EnsureResolver();
            byte[] text = Encoding.UTF8.GetBytes(json);
            if (text.Length == 0) text = new byte[] { (byte)' ' };
            byte* msg = stackalloc byte[512];
            msg[0] = 0;
            IntPtr handle;
            uint status;
            fixed (byte* t = text) status = NativeMethods.eik_family_load(t, (UIntPtr)text.Length, out handle, msg, (UIntPtr)512);
            if (status == Abi.StatusInvalidFamily) throw new ArgumentException("family: " + NativeMethods.Message(msg, 512), nameof(json));
            NativeMethods.Check("eik_family_load", status);
            return new Family(handle);
        }

        /// <summary>A family from its JSON file; errors name the file, its CPR-like digit runs masked (an I/O
        /// error is rethrown without its inner exception, whose text holds the path unmasked).</summary>
        public static Family Load(string path)
        {
            string text;
            try
            {
                text = File.ReadAllText(path, Encoding.UTF8);
            }
            catch (FileNotFoundException)
            {
                throw new FileNotFoundException(Redact.MaskCprLike("family file not found: " + path));
            }
            catch (DirectoryNotFoundException)
            {
                throw new DirectoryNotFoundException(Redact.MaskCprLike("family file's directory not found: " + path));
            }
            catch (IOException e)
            {
                throw new IOException(Redact.MaskCprLike(path + ": " + e.Message));
            }
            catch (UnauthorizedAccessException e)
            {
                throw new UnauthorizedAccessException(Redact.MaskCprLike(path + ": " + e.Message));
            }
            try
            {
                return FromJson(text);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException(Redact.MaskCprLike(path + ": " + e.Message), nameof(path), e);
            }
        }

        /// <summary>The family's name ("employer", "demo").</summary>
        public string Name { get; }
        /// <summary>The field separator of a separated family (<c>'</c>), or '\0' for fixed width.</summary>
        public char Separator { get; }
        /// <summary>Whether lines carry a running line number (employer <c>Lb_nr</c>).</summary>
        public bool HasLineNumbers { get; }
        /// <summary>Every layout: each record type's current layout first, then the variants.</summary>
        public IReadOnlyList<Layout> Layouts { get; }

        /// <summary>The current layout of a record type, or null.</summary>
        public Layout Layout(int recordType)
        {
            for (int i = 0; i < records; i++)
                if (Layouts[i].RecordType == recordType) return Layouts[i];
            return null;
        }

        /// <summary>A named variant of a record type ("" for the current layout), or null.</summary>
        public Layout Layout(int recordType, string variant)
        {
            foreach (Layout l in Layouts)
                if (l.RecordType == recordType && l.Variant == variant) return l;
            return null;
        }

        /// <summary>
        /// Checks one value (a CPR, an SE-nr) against the record type's first field with
        /// <paramref name="role"/> by the rules the decoder applies to it: null when it is fine.
        /// </summary>
        /// <exception cref="ArgumentException">The record type has no such field.</exception>
        public FieldCheck CheckField(int recordType, FieldRole role, string value) => Check(recordType, (uint)role, 0, value);

        /// <summary><see cref="CheckField(int, FieldRole, string)"/> by field number.</summary>
        public FieldCheck CheckField(int recordType, int fieldNo, string value) => Check(recordType, 0, fieldNo, value);

        private unsafe FieldCheck Check(int recordType, uint role, int fieldNo, string value)
        {
            if (value == null) throw new ArgumentNullException(nameof(value));
            byte[] v = Encoding.GetEncoding("ISO-8859-1").GetBytes(value);
            int n = v.Length;
            if (n == 0) v = new byte[1];
            EikOptions o;
            NativeMethods.Check("eik_options_default", NativeMethods.eik_options_default(&o));
            o.Family = Handle;
            EikFieldCheck c;
            uint status;
            fixed (byte* p = v)
                status = NativeMethods.eik_check_field(&o, (ushort)recordType, role, (byte)fieldNo, p, (UIntPtr)n, &c);
            if (status == Abi.StatusNotFound)
                throw new ArgumentException(Redact.MaskCprLike($"record {recordType} of family {Name} has no such field"));
            NativeMethods.Check("eik_check_field", status);
            return c.Kind == 0 ? null : new FieldCheck((FindingKind)c.Kind, (int)c.At, c.Severity == Abi.SeverityWarning,
                c.FieldNo, (long)c.Expected, (long)c.Found);
        }

        /// <summary><c>Family demo (6 record types)</c>.</summary>
        public override string ToString() => $"Family {Name} ({records} record types)";
    }
}
