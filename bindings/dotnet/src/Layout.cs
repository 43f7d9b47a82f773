using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

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
        /// <summary>16 unsigned digits with the decoder's amount scale; the sign is the next field.</summary>
        Amount = 4,
        /// <summary>Unsigned digits with <see cref="Field.Decimals"/> decimals; the sign is the next field.</summary>
        Quantity = 5,
        /// <summary><c>+</c> or <c>-</c> of the field before it.</summary>
        Sign = 6,
    }

    /// <summary>One field of a <see cref="Layout"/>: where it stands in the line and how to read it.</summary>
    public sealed class Field
    {
        internal Field(int no, string name, int start, int length, FieldType type, FieldFormat format,
            int decimals, bool personal)
        {
            No = no;
            Name = name;
            Start = start;
            Length = length;
            Type = type;
            Format = format;
            Decimals = decimals;
            Personal = personal;
        }

        /// <summary>Field number ("felt"), unique within the record.</summary>
        public int No { get; }
        /// <summary>Name as in the spec ("Beloeb").</summary>
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

        /// <inheritdoc/>
        public override string ToString() => $"{No} {Name} [{Start}+{Length}]";
    }

    /// <summary>One record layout (a record type, or a variant of one), read once from the engine's tables.</summary>
    public sealed class Layout
    {
        private static readonly Layout[] all = Load();
        private readonly Field[] byNo = new Field[256];

        private Layout(int index, int recordType, string name, string variant, int length, IList<Field> fields)
        {
            Index = index;
            RecordType = recordType;
            Name = name;
            Variant = variant;
            Length = length;
            Fields = new ReadOnlyCollection<Field>(fields);
            foreach (Field f in fields) byNo[f.No] = f;
        }

        /// <summary>Every built-in layout: each record type's current layout first, then the variants.</summary>
        public static IReadOnlyList<Layout> All => all;

        /// <summary>The current layout of a record type (6001), or null.</summary>
        public static Layout Of(int recordType)
        {
            foreach (Layout l in all)
                if (l.RecordType == recordType) return l;
            return null;
        }

        internal static Layout At(int index) => all[index];

        /// <summary>Index in the engine's tables.</summary>
        public int Index { get; }
        /// <summary><c>Rec_nr</c>: 1000, 2001, ..., 9999.</summary>
        public int RecordType { get; }
        /// <summary>Short name ("Beløbsfelt").</summary>
        public string Name { get; }
        /// <summary>"" for the current layout, else the variant key ("v7.1").</summary>
        public string Variant { get; }
        /// <summary>Exact line length in bytes, without terminator.</summary>
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

        /// <inheritdoc/>
        public override string ToString() =>
            RecordType.ToString("D4") + " " + Name + (Variant.Length == 0 ? "" : " (" + Variant + ")");

        private static unsafe Layout[] Load()
        {
            NativeMethods.EnsureResolver();
            int count = (int)NativeMethods.eik_layout_count();
            var result = new Layout[count];
            for (int i = 0; i < count; i++)
            {
                EikLayout l;
                NativeMethods.Check("eik_layout_at", NativeMethods.eik_layout_at((UIntPtr)i, &l));
                var fields = new List<Field>((int)l.NFields);
                for (int j = 0; j < l.NFields; j++)
                {
                    EikField f;
                    NativeMethods.Check("eik_layout_field",
                        NativeMethods.eik_layout_field((UIntPtr)i, (UIntPtr)j, &f));
                    fields.Add(new Field(f.No, NativeMethods.Utf8(f.Name), f.Start, f.Len, (FieldType)f.FieldType,
                        (FieldFormat)f.Format, f.Decimals, f.Personal != 0));
                }
                result[i] = new Layout(i, l.RecordType, NativeMethods.Utf8(l.Name), NativeMethods.Utf8(l.Variant),
                    l.Length, fields);
            }
            return result;
        }
    }
}
