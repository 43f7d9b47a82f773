using System;
using System.Collections.Generic;
using System.IO;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;

namespace Eindkomst.Transport.DailyFiles
{
    /// <summary>
    /// Picks up the daily SF0770_E file from a delivery folder (the SFTP server's <c>IN/</c> through any client, or a
    /// mounted share). Each <see cref="Poll"/> goes through the data files (not <c>.metadata</c>, <c>.trigger</c>,
    /// <c>.sftpreceipt</c>), in name order:
    /// <list type="number">
    /// <item>completion: <c>NAME.metadata</c> must parse, name <see cref="Recipient"/> among its Recipients (else NotForUs) and
    /// give a SizeInBytes equal to the file's size (smaller: InFlight, larger: Damaged); without metadata the file waits, or
    /// with <see cref="StableSize"/> counts as complete once size and modification time are unchanged since the previous poll;</item>
    /// <item>streaming: the file goes through the engine in chunks into the handler, never held in memory, while the received
    /// bytes are appended to <c>WORKDIR/KEY.part</c>; a broken transfer aborts the handler and keeps the part, and the next
    /// poll reads the part locally and fetches only the rest (<see cref="DailyFileOutcome.ResumedFrom"/>);</item>
    /// <item>a clean file: handler Commit → ledger <c>DONE</c> (forced to disk, with the SHA-256 of the bytes) → data file and
    /// metadata removed → part deleted; a file already DONE (a crash before the clean-up) is only removed;</item>
    /// <item>a damaged file (a rejected line or stream error, or a size mismatch): handler Abort with the engine's finding,
    /// ledger <c>DAMAGED</c>, the file left in the folder and not decoded again (reported on each poll).</item>
    /// </list>
    /// Not thread-safe: poll from one thread.
    /// </summary>
    public sealed class DailyFileProcessor
    {
        private const int MetadataLimit = 1 << 20;
        private readonly IDeliveryFolder folder;
        private readonly IDailyFileHandler handler;
        private readonly Ledger ledger;
        private readonly string workDir;
        private readonly Dictionary<string, RemoteFile> lastSeen = new Dictionary<string, RemoteFile>();

        /// <summary>A processor.</summary>
        /// <param name="folder">The delivery folder.</param>
        /// <param name="handler">Receives the records of each file.</param>
        /// <param name="ledger">The durable ledger (keys <c>f:…</c>; may be shared with a <see cref="Beskedfordeler.BeskedReceiver"/>).</param>
        /// <param name="workDir">Where the <c>.part</c> files live (created if missing).</param>
        /// <param name="recipient">This system's SFTP user, checked against the metadata's Recipients; null: not checked.</param>
        public DailyFileProcessor(IDeliveryFolder folder, IDailyFileHandler handler, Ledger ledger, string workDir, string recipient)
        {
            this.folder = folder ?? throw new ArgumentNullException(nameof(folder));
            this.handler = handler ?? throw new ArgumentNullException(nameof(handler));
            this.ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
            this.workDir = Directory.CreateDirectory(workDir).FullName;
            Recipient = recipient;
        }

        /// <summary>This system's SFTP user (the metadata must name it), or null.</summary>
        public string Recipient { get; }

        /// <summary>Files without metadata count as complete when size and modification time did not change between two polls (default false: they wait).</summary>
        public bool StableSize { get; set; }

        /// <summary>One pass over the folder; what happened to each data file, in name order.</summary>
        /// <exception cref="IOException">Listing the folder, the ledger or the local part failed.</exception>
        public IReadOnlyList<DailyFileOutcome> Poll()
        {
            var entries = new SortedDictionary<string, RemoteFile>(StringComparer.Ordinal);
            foreach (RemoteFile f in folder.List()) entries[f.Name] = f;
            var outcomes = new List<DailyFileOutcome>();
            foreach (RemoteFile f in entries.Values)
            {
                string n = f.Name;
                if (n.StartsWith(".", StringComparison.Ordinal) || n.EndsWith(".metadata", StringComparison.Ordinal)
                    || n.EndsWith(".trigger", StringComparison.Ordinal) || n.EndsWith(".sftpreceipt", StringComparison.Ordinal)) continue;
                outcomes.Add(Process(f, entries.ContainsKey(n + ".metadata")));
            }
            return outcomes;
        }

        private DailyFileOutcome Process(RemoteFile f, bool hasMetadata)
        {
            DailyFile file;
            if (hasMetadata)
            {
                FileMetadata m;
                try
                {
                    m = FileMetadata.Parse(ReadSmall(f.Name + ".metadata"));
                }
                catch (FormatException e)
                {
                    return new DailyFileOutcome(new DailyFile(f.Name, f.Size, f.Modified, null), DailyFileState.InFlight, 0,
                        "metadata not readable yet: " + e.Message, 0);
                }
                file = new DailyFile(f.Name, f.Size, f.Modified, m.FileTransferUuid);
                if (Recipient != null && m.Recipients.Count > 0 && !m.Recipients.Contains(Recipient))
                    return new DailyFileOutcome(file, DailyFileState.NotForUs, 0, "metadata names other recipients", 0);
                DailyFileOutcome known = Known(file);
                if (known != null) return known;
                if (f.Size < m.SizeInBytes) return new DailyFileOutcome(file, DailyFileState.InFlight, 0, f.Size + " of " + m.SizeInBytes + " bytes", 0);
                if (f.Size > m.SizeInBytes)
                {
                    ledger.Append("DAMAGED", 0, file.Key, "-", true);
                    return new DailyFileOutcome(file, DailyFileState.Damaged, 0, "size " + f.Size + " exceeds SizeInBytes " + m.SizeInBytes, 0);
                }
            }
            else
            {
                file = new DailyFile(f.Name, f.Size, f.Modified, null);
                DailyFileOutcome known = Known(file);
                if (known != null) return known;
                RemoteFile before;
                lastSeen.TryGetValue(f.Name, out before);
                lastSeen[f.Name] = f;
                if (!StableSize) return new DailyFileOutcome(file, DailyFileState.InFlight, 0, "waiting for " + f.Name + ".metadata", 0);
                if (before == null || before.Size != f.Size || before.Modified != f.Modified)
                    return new DailyFileOutcome(file, DailyFileState.InFlight, 0, "size not yet stable", 0);
            }
            return FetchAndDecode(file);
        }

        /// <summary>DONE (then removed again) or DAMAGED in the ledger; else null.</summary>
        private DailyFileOutcome Known(DailyFile file)
        {
            LedgerEntry e = ledger.Last(file.Key);
            if (e == null) return null;
            if (e.State == "DONE")
            {
                CleanUp(file);
                return new DailyFileOutcome(file, DailyFileState.AlreadyDone, 0, null, 0);
            }
            if (e.State == "DAMAGED") return new DailyFileOutcome(file, DailyFileState.Damaged, 0, "damaged before (see the ledger)", 0);
            return null;
        }

        private DailyFileOutcome FetchAndDecode(DailyFile file)
        {
            var safe = new StringBuilder();
            foreach (char c in file.Key) safe.Append(char.IsLetterOrDigit(c) || c == '-' || c == '.' ? c : '_');
            string part = Path.Combine(workDir, safe + ".part");
            long have = File.Exists(part) ? new FileInfo(part).Length : 0;
            if (have > file.Size)
            {
                File.Delete(part);
                have = 0;
            }
            long records = 0;
            Finding bad;
            Counts counts;
            string hash;
            long total;
            using (var partStream = new FileStream(part, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16))
            using (var sha = new ParallelSha256())
            {
                Stream remote;
                try
                {
                    remote = have < file.Size ? folder.Open(file.Name, have) : null;
                }
                catch (IOException e)
                {
                    return new DailyFileOutcome(file, DailyFileState.Interrupted, have, "could not open the file: " + e.Message, 0);
                }
                var input = new FileInput(part, have, remote, partStream, sha);
                try
                {
                    handler.Begin(file);
                    using (var decoder = new EngineDecoder(input, false))
                    {
                        foreach (Record r in decoder.Records)
                        {
                            handler.Record(r);
                            records++;
                        }
                        bad = decoder.FirstProblem;
                        counts = decoder.Counts;
                    }
                }
                catch (Exception broken)
                {
                    partStream.Flush(true);
                    string why = broken is IOException ? "transfer broke off: " + broken.Message
                        : "handler failed: " + broken.GetType().Name;
                    handler.Abort(file, why);
                    return new DailyFileOutcome(file, DailyFileState.Interrupted, have, why, records);
                }
                finally
                {
                    input.Dispose();
                    remote?.Dispose();
                }
                partStream.Flush(true);
                total = input.Total;
                hash = sha.Finish();
            }
            if (total < file.Size)
            {
                // The folder ended the stream early: a broken transfer, not a damaged file.
                string why = "transfer broke off after " + total + " of " + file.Size + " bytes";
                handler.Abort(file, why);
                return new DailyFileOutcome(file, DailyFileState.Interrupted, have, why, records);
            }
            if (bad != null || total != file.Size)
            {
                string why = bad != null ? EngineDecoder.Describe(bad) : "read " + total + " bytes, expected " + file.Size;
                handler.Abort(file, why);
                ledger.Append("DAMAGED", 0, file.Key, hash, true);
                File.Delete(part);
                return new DailyFileOutcome(file, DailyFileState.Damaged, have, why, records);
            }
            try
            {
                handler.Commit(file, counts);
            }
            catch (Exception e)
            {
                handler.Abort(file, "commit failed: " + e.GetType().Name);
                return new DailyFileOutcome(file, DailyFileState.Interrupted, have, "commit failed: " + e.GetType().Name, records);
            }
            ledger.Append("DONE", 0, file.Key, hash, true);
            CleanUp(file);
            File.Delete(part);
            return new DailyFileOutcome(file, DailyFileState.Done, have, null, records);
        }

        private void CleanUp(DailyFile file)
        {
            folder.Remove(file.Name);
            folder.Remove(file.Name + ".metadata");
        }

        private byte[] ReadSmall(string name)
        {
            using (Stream s = folder.Open(name, 0))
            using (var m = new MemoryStream())
            {
                var buf = new byte[8192];
                int n;
                while ((n = s.Read(buf, 0, buf.Length)) > 0)
                {
                    m.Write(buf, 0, n);
                    if (m.Length > MetadataLimit) throw new FormatException("metadata larger than 1 MiB");
                }
                return m.ToArray();
            }
        }

        /// <summary>
        /// The bytes of the file: first the local part (to its end), then the folder's stream from there on, each remote
        /// byte appended to the part as it passes; hashed and counted on the way.
        /// </summary>
        private sealed class FileInput : Stream
        {
            private readonly Stream remote;
            private readonly Stream partOut;
            private readonly ParallelSha256 sha;
            private Stream local;
            private long localLeft;

            internal FileInput(string part, long have, Stream remote, Stream partOut, ParallelSha256 sha)
            {
                this.remote = remote;
                this.partOut = partOut;
                this.sha = sha;
                localLeft = have;
                if (have > 0) local = new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            }

            internal long Total { get; private set; }

            public override int Read(byte[] buffer, int offset, int count)
            {
                int n;
                if (localLeft > 0)
                {
                    n = local.Read(buffer, offset, (int)Math.Min(count, localLeft));
                    if (n <= 0) throw new IOException("the local part ended early");
                    localLeft -= n;
                    if (localLeft == 0) local.Dispose();
                }
                else
                {
                    n = remote == null ? 0 : remote.Read(buffer, offset, count);
                    if (n > 0) partOut.Write(buffer, offset, n);
                }
                if (n > 0)
                {
                    sha.Add(buffer, offset, n);
                    Total += n;
                }
                return n;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) local?.Dispose();
                base.Dispose(disposing);
            }

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => Total; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
    /// <summary>
    /// SHA-256 on a thread of its own: Mono's managed SHA-256 is slower than the engine, so hashing overlaps decoding
    /// (at most 8 chunks wait).
    /// </summary>
    internal sealed class ParallelSha256 : IDisposable
    {
        private readonly BlockingCollection<byte[]> chunks = new BlockingCollection<byte[]>(8);
        private readonly Task<string> worker;

        internal ParallelSha256()
        {
            worker = Task.Factory.StartNew(Run, TaskCreationOptions.LongRunning);
        }

        /// <summary>Hashes a copy of the bytes.</summary>
        internal void Add(byte[] buffer, int offset, int count)
        {
            var copy = new byte[count];
            Buffer.BlockCopy(buffer, offset, copy, 0, count);
            chunks.Add(copy);
        }

        /// <summary>The hash of everything added, lower-case hex.</summary>
        internal string Finish()
        {
            chunks.CompleteAdding();
            return worker.Result;
        }

        private string Run()
        {
            using (SHA256 sha = SHA256.Create())
            {
                foreach (byte[] c in chunks.GetConsumingEnumerable()) sha.TransformBlock(c, 0, c.Length, null, 0);
                sha.TransformFinalBlock(new byte[0], 0, 0);
                return BitConverter.ToString(sha.Hash).Replace("-", "").ToLowerInvariant();
            }
        }

        /// <summary>Stops the worker (a hash not asked for is dropped).</summary>
        public void Dispose()
        {
            if (!chunks.IsAddingCompleted) chunks.CompleteAdding();
            worker.Wait();
            chunks.Dispose();
        }
    }
}
