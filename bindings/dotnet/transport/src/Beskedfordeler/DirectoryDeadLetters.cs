using System;
using System.IO;
using System.Text;

namespace Eindkomst.Transport.Beskedfordeler
{
    /// <summary>
    /// A local dead-letter store: per letter <c>NAME.xml</c> (the raw body, unchanged) and <c>NAME.reason</c>
    /// (<c>code TAB reason</c>), NAME from the ledger key; both forced to disk. Storing the same letter again overwrites it.
    /// Against the real Beskedfordeler the receiver may not publish, so a store like this is where poison messages go.
    /// The bodies hold personal data (CPR numbers): give the directory restrictive permissions.
    /// </summary>
    public sealed class DirectoryDeadLetters
    {
        private readonly string dir;

        /// <summary>A store in <paramref name="dir"/> (created if missing).</summary>
        public DirectoryDeadLetters(string dir)
        {
            this.dir = Directory.CreateDirectory(dir).FullName;
        }

        /// <summary>Stores <paramref name="body"/> with the decision's code and reason; returns the path of the body.</summary>
        /// <exception cref="IOException">Not stored: do not acknowledge.</exception>
        public string Store(BeskedDecision decision, byte[] body)
        {
            if (decision.Action != BeskedAction.DeadLetter) throw new ArgumentException("not a DeadLetter decision", nameof(decision));
            var name = new StringBuilder();
            foreach (char c in decision.LedgerKey) name.Append(char.IsLetterOrDigit(c) || c == '-' || c == '.' ? c : '_');
            string path = Path.Combine(dir, name + ".xml");
            Write(path, body);
            Write(Path.Combine(dir, name + ".reason"), Encoding.UTF8.GetBytes(decision.Code + "\t" + decision.Reason + "\n"));
            return path;
        }

        private static void Write(string path, byte[] bytes)
        {
            using (var f = new FileStream(path, FileMode.Create, FileAccess.Write))
            {
                f.Write(bytes, 0, bytes.Length);
                f.Flush(true);
            }
        }
    }
}
