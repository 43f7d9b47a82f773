namespace Eindkomst
{
    /// <summary>
    /// The engine's rule for error texts (<c>eindkomst::mask_cpr_like</c>), for the texts this binding makes
    /// itself: ten digits, or six, a hyphen and four, with no digit either side, each become <c>**********</c>.
    /// Every host-made message that holds a caller's value (a number out of range, a family's name, a file path)
    /// goes through it, so no CPR number reaches a log through it.
    /// </summary>
    internal static class Redact
    {
        private static bool Digit(string s, int i) => i >= 0 && i < s.Length && s[i] >= '0' && s[i] <= '9';

        private static bool Digits(string s, int from, int n)
        {
            for (int i = from; i < from + n; i++)
                if (!Digit(s, i)) return false;
            return true;
        }

        // The length of a CPR-like run at i, or 0.
        private static int CprAt(string s, int i)
        {
            if (Digit(s, i - 1) || !Digits(s, i, 6)) return 0;
            if (Digits(s, i + 6, 4) && !Digit(s, i + 10)) return 10;
            if (i + 6 < s.Length && s[i + 6] == '-' && Digits(s, i + 7, 4) && !Digit(s, i + 11)) return 11;
            return 0;
        }

        /// <summary><paramref name="text"/> with its CPR-like runs masked.</summary>
        internal static string MaskCprLike(string text)
        {
            if (text == null) return null;
            System.Text.StringBuilder output = null;
            int i = 0, copied = 0;
            while (i < text.Length)
            {
                int n = CprAt(text, i);
                if (n > 0)
                {
                    if (output == null) output = new System.Text.StringBuilder(text.Length);
                    output.Append(text, copied, i - copied).Append("**********");
                    i += n;
                    copied = i;
                }
                else i++;
            }
            return output == null ? text : output.Append(text, copied, text.Length - copied).ToString();
        }
    }
}
