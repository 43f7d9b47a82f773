using System;
using System.Globalization;
using System.Text;

namespace Eindkomst.Transport.Beskedfordeler
{
    /// <summary>Payload text in another encoding, written in ISO-8859-1 (the encoding of the records) for the engine.</summary>
    internal static class Latin1
    {
        /// <summary>
        /// Decodes <paramref name="raw"/> strictly in <paramref name="encoding"/> (UTF-8, ASCII or Windows-1252; a UTF-8 byte
        /// order mark is dropped) and writes it in ISO-8859-1. Null, or {code, reason}: <c>bad_encoding</c> (bytes that are not
        /// that encoding) or <c>not_latin1</c> (a character ISO-8859-1 cannot hold).
        /// </summary>
        internal static string[] Transcode(byte[] raw, string encoding, out byte[] latin1)
        {
            latin1 = null;
            string name = encoding.ToUpperInvariant();
            Encoding dec = name == "UTF-8" ? new UTF8Encoding(false, true)
                : name == "ASCII" ? Encoding.GetEncoding("us-ascii", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback)
                : Encoding.GetEncoding(1252, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            int start = name == "UTF-8" && raw.Length >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF ? 3 : 0;
            string text;
            try
            {
                text = dec.GetString(raw, start, raw.Length - start);
            }
            catch (DecoderFallbackException e)
            {
                return new[] { "bad_encoding", "byte offset " + (start + Math.Max(0, e.Index)).ToString(CultureInfo.InvariantCulture)
                    + " of the payload is not valid " + encoding };
            }
            var output = new byte[text.Length];
            long byteOffset = start, line = 1;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c > 0xFF)
                {
                    int cp = char.IsHighSurrogate(c) && i + 1 < text.Length ? char.ConvertToUtf32(c, text[i + 1]) : c;
                    return new[] { "not_latin1", "character U+" + cp.ToString("X4", CultureInfo.InvariantCulture) + " at byte offset "
                        + byteOffset.ToString(CultureInfo.InvariantCulture) + " (line " + line.ToString(CultureInfo.InvariantCulture) + ") of the "
                        + encoding + " payload cannot be written in ISO-8859-1, which the records use" };
                }
                output[i] = (byte)c;
                if (c == '\n') line++;
                byteOffset += name == "UTF-8" && c >= 0x80 ? 2 : 1; // c <= 0xFF here
            }
            latin1 = output;
            return null;
        }
    }
}
