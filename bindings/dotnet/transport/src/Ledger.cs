using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Eindkomst.Transport
{
    /// <summary>One line of a <see cref="Ledger"/>: the last word on a key.</summary>
    public sealed class LedgerEntry
    {
        internal LedgerEntry(long millis, string state, int attempt, string key, string note)
        {
            Millis = millis;
            State = state;
            Attempt = attempt;
            Key = key;
            Note = note;
        }

        /// <summary>When it was written (Unix milliseconds).</summary>
        public long Millis { get; }
        /// <summary>The state (<c>HANDLED</c>, <c>DEAD</c>, <c>DONE</c>, …).</summary>
        public string State { get; }
        /// <summary>The attempt it belongs to (1-based; 0 when not counted).</summary>
        public int Attempt { get; }
        /// <summary>The key (<c>b:BeskedId</c>, <c>m:message id</c>, <c>f:file</c>, …).</summary>
        public string Key { get; }
        /// <summary>A code or hash, or null.</summary>
        public string Note { get; }
    }

    /// <summary>
    /// A durable ledger: an append-only UTF-8 file, one line per step, <c>millis TAB state TAB attempt TAB key [TAB note]</c>
    /// (the format of the Java and Node Beskedfordeler ledgers); the last line of a key wins. A line written with
    /// <c>force</c> is on disk (fsync) before <see cref="Append"/> returns. At open a torn last line (a process killed
    /// inside a write) is cut off, and the file is compacted to one line per key when it holds more than twice as many
    /// lines as keys (new file, fsync, rename, directory fsync); keys whose last line is older than the retention
    /// (default 30 days, as long as Beskedfordeler keeps a message) are dropped then. One process writes a ledger
    /// (Assumption: one receiver per dueslag or delivery folder; there is no lock between processes). Thread-safe.
    /// </summary>
    public sealed class Ledger : IDisposable
    {
        private readonly string path;
        private readonly TimeSpan retention;
        private readonly Dictionary<string, LedgerEntry> last = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        private FileStream file;
        private long lines;

        /// <summary>Opens (or creates) the ledger at <paramref name="path"/>.</summary>
        public Ledger(string path, TimeSpan? retention = null)
        {
            this.path = System.IO.Path.GetFullPath(path);
            this.retention = retention ?? TimeSpan.FromDays(30);
            Load();
            if (lines > 2 * last.Count + 100 || Expired().Count > 0) Compact();
            file = new FileStream(this.path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.None);
        }

        /// <summary>The ledger file.</summary>
        public string Path => path;

        /// <summary>The last entry of <paramref name="key"/>, or null.</summary>
        public LedgerEntry Last(string key)
        {
            lock (last)
            {
                LedgerEntry e;
                return last.TryGetValue(key, out e) ? e : null;
            }
        }

        /// <summary>Appends a line; with <paramref name="force"/> it is on disk when this returns. Tabs and line breaks in
        /// <paramref name="key"/> and <paramref name="note"/> become spaces.</summary>
        /// <exception cref="IOException">The line could not be written (or forced).</exception>
        public LedgerEntry Append(string state, int attempt, string key, string note, bool force)
        {
            var e = new LedgerEntry(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Clean(state), attempt, Clean(key), note == null ? null : Clean(note));
            byte[] line = Encoding.UTF8.GetBytes(Line(e));
            lock (last)
            {
                if (file == null) throw new ObjectDisposedException(nameof(Ledger));
                file.Write(line, 0, line.Length);
                file.Flush(force); // Mono: Flush(true) is fsync(2)
                if (e.State == "FORGET") last.Remove(e.Key);
                else last[e.Key] = e;
                lines++;
            }
            return e;
        }

        /// <summary>Releases a key (a <c>FORGET</c> line, forced): e.g. a dead-lettered BeskedId whose replay should be handled after a fix.</summary>
        public void Forget(string key)
        {
            Append("FORGET", 0, key, null, true);
        }

        /// <summary>Closes the file.</summary>
        public void Dispose()
        {
            lock (last)
            {
                file?.Dispose();
                file = null;
            }
        }

        private static string Clean(string s)
        {
            return s.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
        }

        private static string Line(LedgerEntry e)
        {
            return e.Millis.ToString(CultureInfo.InvariantCulture) + "\t" + e.State + "\t" + e.Attempt.ToString(CultureInfo.InvariantCulture)
                + "\t" + e.Key + (e.Note != null ? "\t" + e.Note : "") + "\n";
        }

        private void Load()
        {
            if (!File.Exists(path)) return;
            byte[] all = File.ReadAllBytes(path);
            int end = all.Length;
            while (end > 0 && all[end - 1] != (byte)'\n') end--;
            if (end < all.Length)
            {
                // A torn last line: cut it off so that the next line starts clean.
                using (var f = new FileStream(path, FileMode.Open, FileAccess.Write))
                {
                    f.SetLength(end);
                    f.Flush(true);
                }
            }
            foreach (string l in Encoding.UTF8.GetString(all, 0, end).Split('\n'))
            {
                string[] p = l.Split('\t');
                long millis;
                int attempt;
                if (p.Length < 4 || !long.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out millis)
                    || !int.TryParse(p[2], NumberStyles.None, CultureInfo.InvariantCulture, out attempt)) continue;
                var e = new LedgerEntry(millis, p[1], attempt, p[3], p.Length > 4 ? p[4] : null);
                if (e.State == "FORGET") last.Remove(e.Key);
                else last[e.Key] = e;
                lines++;
            }
        }

        private List<string> Expired()
        {
            long cut = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)retention.TotalMilliseconds;
            var old = new List<string>();
            foreach (LedgerEntry e in last.Values)
                if (e.Millis < cut) old.Add(e.Key);
            return old;
        }

        private void Compact()
        {
            foreach (string k in Expired()) last.Remove(k);
            var sorted = new List<LedgerEntry>(last.Values);
            sorted.Sort((a, b) => a.Millis.CompareTo(b.Millis));
            string tmp = path + ".compact";
            using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                foreach (LedgerEntry e in sorted)
                {
                    byte[] b = Encoding.UTF8.GetBytes(Line(e));
                    f.Write(b, 0, b.Length);
                }
                f.Flush(true);
            }
            if (rename(tmp, path) != 0) throw new IOException("could not replace the ledger " + path + " (errno " + Marshal.GetLastWin32Error() + ")");
            FsyncDirectory(System.IO.Path.GetDirectoryName(path));
            lines = sorted.Count;
        }

        // The rename must reach the directory on disk too; .NET has no call for either.
        [DllImport("libc", SetLastError = true)]
        private static extern int rename(string from, string to);

        [DllImport("libc", SetLastError = true)]
        private static extern int open(string path, int flags);

        [DllImport("libc", SetLastError = true)]
        private static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        private static extern int close(int fd);

        private static void FsyncDirectory(string dir)
        {
            int fd = open(dir, 0); // O_RDONLY
            if (fd < 0) throw new IOException("could not open " + dir + " (errno " + Marshal.GetLastWin32Error() + ")");
            try
            {
                if (fsync(fd) != 0) throw new IOException("could not fsync " + dir + " (errno " + Marshal.GetLastWin32Error() + ")");
            }
            finally
            {
                close(fd);
            }
        }
    }
}
