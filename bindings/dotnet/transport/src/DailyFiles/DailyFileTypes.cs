using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Xml;

namespace Eindkomst.Transport.DailyFiles
{
    /// <summary>A file in the delivery folder, as listed.</summary>
    public sealed class RemoteFile
    {
        /// <summary>A listed file.</summary>
        public RemoteFile(string name, long size, DateTime modified)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Size = size;
            Modified = modified;
        }

        /// <summary>The file name (no directory).</summary>
        public string Name { get; }
        /// <summary>Size in bytes.</summary>
        public long Size { get; }
        /// <summary>Last modification (any resolution the folder gives; used only to see that a file stopped growing).</summary>
        public DateTime Modified { get; }
    }

    /// <summary>
    /// Where the daily files are: an SFTP client (SSH.NET's <c>SftpClient</c>, see the README), a mounted share
    /// (<see cref="LocalFolder"/>), or anything that lists, reads from an offset and removes.
    /// </summary>
    public interface IDeliveryFolder
    {
        /// <summary>The regular files of the folder.</summary>
        IReadOnlyList<RemoteFile> List();

        /// <summary>The file's bytes from <paramref name="offset"/> on; a broken transfer throws <see cref="IOException"/> from Read.</summary>
        Stream Open(string name, long offset);

        /// <summary>Removes (or moves away) a file that is done; a missing file is not an error.</summary>
        void Remove(string name);
    }

    /// <summary>A mounted share or local directory as delivery folder; with a done directory, files are moved there instead of deleted.</summary>
    public sealed class LocalFolder : IDeliveryFolder
    {
        private readonly string dir;
        private readonly string doneDir;

        /// <summary>The folder <paramref name="dir"/>; <paramref name="doneDir"/>: where finished files go (null: deleted).</summary>
        public LocalFolder(string dir, string doneDir = null)
        {
            this.dir = dir ?? throw new ArgumentNullException(nameof(dir));
            this.doneDir = doneDir;
        }

        /// <inheritdoc/>
        public IReadOnlyList<RemoteFile> List()
        {
            var files = new List<RemoteFile>();
            foreach (FileInfo f in new DirectoryInfo(dir).GetFiles()) files.Add(new RemoteFile(f.Name, f.Length, f.LastWriteTimeUtc));
            return files;
        }

        /// <inheritdoc/>
        public Stream Open(string name, long offset)
        {
            var s = new FileStream(Path.Combine(dir, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
            s.Seek(offset, SeekOrigin.Begin);
            return s;
        }

        /// <inheritdoc/>
        public void Remove(string name)
        {
            string path = Path.Combine(dir, name);
            if (!File.Exists(path)) return;
            if (doneDir == null) File.Delete(path);
            else
            {
                Directory.CreateDirectory(doneDir);
                string target = Path.Combine(doneDir, name);
                if (File.Exists(target)) File.Delete(target);
                File.Move(path, target);
            }
        }
    }

    /// <summary>A data file being processed.</summary>
    public sealed class DailyFile
    {
        internal DailyFile(string name, long size, DateTime modified, string fileTransferUuid)
        {
            Name = name;
            Size = size;
            Modified = modified;
            FileTransferUuid = fileTransferUuid;
        }

        /// <summary>The file name.</summary>
        public string Name { get; }
        /// <summary>Its size.</summary>
        public long Size { get; }
        /// <summary>Its modification time as listed.</summary>
        public DateTime Modified { get; }
        /// <summary>The metadata's FileTransferUUID, or null.</summary>
        public string FileTransferUuid { get; }

        /// <summary>The ledger key: <c>f:FileTransferUUID</c>, else <c>f:name:size:mtime</c>; a UUID or name that holds a
        /// CPR-like run stands there as <see cref="Redact.Id"/> gives it, so the ledger and the part's file name hold no CPR.</summary>
        public string Key => "f:" + (FileTransferUuid != null ? Redact.Id(FileTransferUuid) : Redact.Id(Name) + ":" + Size.ToString(CultureInfo.InvariantCulture) + ":"
            + Modified.ToUniversalTime().ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Receives one file's records. <see cref="Begin"/>, then every record in order, then <see cref="Commit"/> (store
    /// durably; the file is removed only after it returns) or <see cref="Abort"/> (forget what this attempt delivered: the
    /// file comes again from its first record, or is damaged).
    /// </summary>
    public interface IDailyFileHandler
    {
        /// <summary>A new attempt at <paramref name="file"/>.</summary>
        void Begin(DailyFile file);

        /// <summary>The next record.</summary>
        void Record(Record record);

        /// <summary>Every record was delivered and the engine found nothing wrong: make it durable.</summary>
        void Commit(DailyFile file, Counts counts);

        /// <summary>The attempt failed; <paramref name="why"/> names the engine's finding or the transfer problem (no contents).</summary>
        void Abort(DailyFile file, string why);
    }

    /// <summary>What a poll did with a data file.</summary>
    public enum DailyFileState
    {
        /// <summary>Decoded, committed, recorded and removed.</summary>
        Done,
        /// <summary>Done before (the ledger says so): only removed again.</summary>
        AlreadyDone,
        /// <summary>Not complete yet (metadata missing or smaller, or size not yet stable).</summary>
        InFlight,
        /// <summary>The metadata names other recipients: left alone.</summary>
        NotForUs,
        /// <summary>A rejected line, a stream error or a size beyond SizeInBytes: aborted, recorded, left on the server.</summary>
        Damaged,
        /// <summary>The transfer broke, or the handler failed: aborted; the part is kept and the next poll resumes.</summary>
        Interrupted,
    }

    /// <summary>The outcome of one data file in a poll.</summary>
    public sealed class DailyFileOutcome
    {
        internal DailyFileOutcome(DailyFile file, DailyFileState state, long resumedFrom, string detail, long records)
        {
            File = file;
            State = state;
            ResumedFrom = resumedFrom;
            Detail = Redact.Cpr(detail); // a file name or a server's message may hold one
            Records = records;
        }

        /// <summary>The file.</summary>
        public DailyFile File { get; }
        /// <summary>What happened.</summary>
        public DailyFileState State { get; }
        /// <summary>Bytes taken from the local part instead of the folder.</summary>
        public long ResumedFrom { get; }
        /// <summary>Why (InFlight, NotForUs, Damaged, Interrupted), or null; CPR-like runs masked.</summary>
        public string Detail { get; }
        /// <summary>Records handed to the handler in this attempt.</summary>
        public long Records { get; }

        /// <summary>"Done D20250203.L01 (27 records)"; CPR-like runs masked, for logs.</summary>
        public override string ToString()
        {
            return State + " " + Redact.Cpr(File.Name) + (Detail != null ? ": " + Detail : "") + " (" + Records + " records"
                + (ResumedFrom > 0 ? ", resumed from " + ResumedFrom : "") + ")";
        }
    }

    /// <summary>
    /// The parts of <c>NAME.metadata</c> the processor uses (Serviceplatformen's SFTPTypes.xsd: <c>FileMetadata</c>; one
    /// client's fixture has a <c>Trigger</c> root with FileTransferUUID, so both are accepted). Elements by local name (the
    /// schema's children are unqualified); no DTD.
    /// </summary>
    internal sealed class FileMetadata
    {
        internal string FileTransferUuid;
        internal long SizeInBytes = -1;
        internal List<string> Recipients = new List<string>();

        /// <exception cref="FormatException">Not (yet) readable metadata.</exception>
        internal static FileMetadata Parse(byte[] xml)
        {
            var m = new FileMetadata();
            try
            {
                XmlElement root = SafeXml.Parse(xml).DocumentElement;
                if (root.LocalName != "FileMetadata" && root.LocalName != "Trigger") throw new FormatException("root is " + root.LocalName);
                foreach (XmlElement e in root.GetElementsByTagName("*"))
                {
                    string t = SafeXml.Text(e);
                    if (e.LocalName == "FileTransferUUID") m.FileTransferUuid = t;
                    else if (e.LocalName == "SizeInBytes") m.SizeInBytes = long.Parse(t, NumberStyles.None, CultureInfo.InvariantCulture);
                    else if (e.LocalName == "Recipients" && t.Length > 0) m.Recipients.Add(t);
                }
            }
            catch (XmlException)
            {
                throw new FormatException("not well-formed XML");
            }
            catch (OverflowException)
            {
                throw new FormatException("SizeInBytes out of range");
            }
            if (m.SizeInBytes < 0) throw new FormatException("no SizeInBytes");
            return m;
        }
    }
}
