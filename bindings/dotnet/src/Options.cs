using System;

namespace Eindkomst
{
    /// <summary>Which 6000 layout the decoder uses.</summary>
    public enum PersonLayout
    {
        /// <summary>Tell the current and the pre-TIN layout apart by the line.</summary>
        Auto = 0,
        /// <summary>Always the current layout.</summary>
        Current = 1,
        /// <summary>Always the layout before the TIN fields.</summary>
        PreTin = 2,
    }

    /// <summary>Decoder settings. <c>new Options { Strict = true }</c>; the defaults are lenient.</summary>
    public sealed class Options
    {
        private int amountScale = 6;

        /// <summary>Throw <see cref="EindkomstException"/> at the first rejected line or stream error
        /// (default false: collect findings and go on).</summary>
        public bool Strict { get; set; }

        /// <summary>The input is Base64 text (a Beskedfordeler message body); whitespace is skipped.</summary>
        public bool Base64 { get; set; }

        /// <summary>A code outside an open value set rejects the line instead of warning.</summary>
        public bool UnknownCodesReject { get; set; }

        /// <summary>Decimals in 16-digit amounts, 0-16 (default 6).</summary>
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

        /// <summary>Which 6000 layout to use (default <see cref="Eindkomst.PersonLayout.Auto"/>).</summary>
        public PersonLayout PersonLayout { get; set; }
    }
}
