using System;

namespace Eindkomst
{
    /// <summary>Which employer 6000 (person) layout to decode with (the CLI's <c>--person-layout</c>).</summary>
    public enum PersonLayout
    {
        /// <summary>The family's rules: line length, delivery date, then content.</summary>
        Auto = 0,
        /// <summary>Always the current layout (with TIN).</summary>
        Current = 1,
        /// <summary>Always the layout before the TIN fields (v7.1).</summary>
        PreTin = 2,
        /// <summary>Always TaxCardBuilder's 99-byte 6000.</summary>
        TaxCardBuilder = 3,
    }

    /// <summary>How characters are encoded (the CLI's <c>--encoding</c>).</summary>
    public enum TextEncoding
    {
        /// <summary>ISO-8859-1, unless the file is UTF-8 (decided per file; one utf8_encoded warning).</summary>
        Auto = 0,
        /// <summary>Always ISO-8859-1, the format's encoding.</summary>
        Latin1 = 1,
        /// <summary>Always UTF-8, transcoded to ISO-8859-1 before slicing.</summary>
        Utf8 = 2,
    }

    /// <summary>Decoder settings. The defaults: lenient, plain input, amount scale 6, employer family.</summary>
    public sealed class Options
    {
        private int amountScale = 6;

        /// <summary>Stop at the first rejected line or stream error (throws <see cref="EindkomstException"/>).</summary>
        public bool Strict { get; set; }

        /// <summary>The input is Base64 text (a Beskedfordeler message body).</summary>
        public bool Base64 { get; set; }

        /// <summary>A code outside an open value set rejects the line instead of warning.</summary>
        public bool UnknownCodesReject { get; set; }

        /// <summary>Decimals in amounts, 0-16 (default 6).</summary>
        public int AmountScale
        {
            get => amountScale;
            set
            {
                if (value < 0 || value > 16)
                    throw new ArgumentOutOfRangeException(nameof(value), "amount scale must be 0-16");
                amountScale = value;
            }
        }

        /// <summary>Which employer 6000 layout to use (default <see cref="Eindkomst.PersonLayout.Auto"/>).</summary>
        public PersonLayout PersonLayout { get; set; }

        /// <summary>The record family; null: <see cref="Eindkomst.Family.Employer"/>.</summary>
        public Family Family { get; set; }

        /// <summary>How characters are encoded (default <see cref="TextEncoding.Auto"/>).</summary>
        public TextEncoding Encoding { get; set; }

        /// <summary>Pass lines with an unknown record key through (<see cref="EindkomstReader.Raw"/>) instead of rejecting them.</summary>
        public bool UnknownRaw { get; set; }

        /// <summary>Always read its record type with this layout of the family (a variant); null: none.</summary>
        public Layout ForcedLayout { get; set; }

        internal unsafe void Write(EikOptions* o)
        {
            o->Family = (Family ?? Family.Employer).Handle;
            o->Strict = (byte)(Strict ? 1 : 0);
            o->Base64 = (byte)(Base64 ? 1 : 0);
            o->UnknownCodesReject = (byte)(UnknownCodesReject ? 1 : 0);
            o->AmountScale = (byte)AmountScale;
            o->PersonLayout = (byte)PersonLayout;
            o->Encoding = (byte)Encoding;
            o->Unknown = (byte)(UnknownRaw ? Abi.UnknownRaw : Abi.UnknownReject);
            if (ForcedLayout != null) o->ForcedLayouts[0] = (ushort)ForcedLayout.Index;
        }
    }
}
