using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using Eindkomst.Transport.DailyFiles;
using static Eindkomst.Transport.Tests.TestRunner;

namespace Eindkomst.Transport.Tests
{
    /// <summary>
    /// The delivery folder IN/ on the test sshd, through the OpenSSH <c>sftp</c> client (key authentication, pinned host
    /// key, batch mode). A file is fetched with <c>get</c> (from an offset: <c>get -a</c> onto a local file of that length)
    /// into a temp file that the returned stream reads while it grows; the stream ends when sftp exits, and throws
    /// <see cref="IOException"/> when sftp fails (a broken connection). Test code: .NET shops use SSH.NET's SftpClient
    /// (see the README) or a mounted share.
    /// </summary>
    internal sealed class OpenSshFolder : IDeliveryFolder
    {
        private readonly string tmp = TempDir("sftp-get");

        /// <summary>Bandwidth limit of downloads in Kbit/s (sftp -l); 0: none.</summary>
        internal int LimitKbit { get; set; }

        /// <summary>Called with the bytes handed out so far by the stream being read (to break a transfer at a point).</summary>
        internal Action<long> OnRead { get; set; }

        private string Sftp(string commands, bool check = true)
        {
            string args = "-q -b - -i " + Env("EIK_SSHD_KEY") + " -P " + Env("EIK_SSHD_PORT") + " -o UserKnownHostsFile=" + Env("EIK_SSHD_KNOWN_HOSTS")
                + " -o StrictHostKeyChecking=yes -o BatchMode=yes " + Env("EIK_SSHD_USER") + "@127.0.0.1";
            return Run("sftp", args, commands);
        }

        public IReadOnlyList<RemoteFile> List()
        {
            var files = new List<RemoteFile>();
            foreach (string line in Sftp("@ls -ln IN\n").Split('\n'))
            {
                // -rw-r--r--    ? 0 0   1000 Dec  1 15:26 IN/D250203.L01
                string[] f = line.Split(new[] { ' ' }, 9, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 9 || !f[0].StartsWith("-", StringComparison.Ordinal)) continue;
                string when = f[5] + " " + f[6] + " " + f[7];
                DateTime t;
                if (!DateTime.TryParseExact(when, new[] { "MMM d HH:mm", "MMM d yyyy" }, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out t))
                    throw new IOException("unreadable listing line");
                files.Add(new RemoteFile(f[8].Substring(f[8].LastIndexOf('/') + 1), long.Parse(f[4], CultureInfo.InvariantCulture), t));
            }
            return files;
        }

        public Stream Open(string name, long offset)
        {
            string local = Path.Combine(tmp, Guid.NewGuid().ToString("N"));
            using (var f = new FileStream(local, FileMode.CreateNew)) f.SetLength(offset); // get -a resumes at the local length
            string args = "-q -b - " + (LimitKbit > 0 ? "-l " + LimitKbit + " " : "") + "-i " + Env("EIK_SSHD_KEY") + " -P " + Env("EIK_SSHD_PORT")
                + " -o UserKnownHostsFile=" + Env("EIK_SSHD_KNOWN_HOSTS") + " -o StrictHostKeyChecking=yes -o BatchMode=yes " + Env("EIK_SSHD_USER") + "@127.0.0.1";
            var p = Process.Start(new ProcessStartInfo("sftp", args)
            {
                UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            });
            var err = new StringBuilder();
            p.ErrorDataReceived += (s, e) => { if (e.Data != null) lock (err) err.Append(e.Data.Trim()).Append(' '); };
            p.BeginErrorReadLine();
            p.StandardInput.Write("@get " + (offset > 0 ? "-a " : "") + "IN/" + name + " " + local + "\n");
            p.StandardInput.Close();
            return new Growing(local, offset, p, err, OnRead);
        }

        public void Remove(string name)
        {
            Sftp("-rm IN/" + name + "\n"); // "-": a missing file is not an error
        }

        /// <summary>Kills the per-connection sshd processes (children of the listener): open transfers break.</summary>
        internal static void KillSessions()
        {
            string pid = Env("EIK_SSHD_PID");
            foreach (string child in File.ReadAllText("/proc/" + pid + "/task/" + pid + "/children").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
                Process.Start("kill", "-KILL " + child).WaitForExit();
        }

        /// <summary>Reads a file that sftp is still writing; ends when sftp has exited and everything is read.</summary>
        private sealed class Growing : Stream
        {
            private readonly string path;
            private readonly FileStream file;
            private readonly Process sftp;
            private readonly StringBuilder err;
            private readonly Action<long> onRead;
            private long handed;

            internal Growing(string path, long offset, Process sftp, StringBuilder err, Action<long> onRead)
            {
                this.path = path;
                this.sftp = sftp;
                this.err = err;
                this.onRead = onRead;
                file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
                file.Seek(offset, SeekOrigin.Begin);
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                while (true)
                {
                    bool exited = sftp.HasExited; // before the read: whatever it wrote before exiting is in the file
                    int n = file.Read(buffer, offset, count);
                    if (n > 0)
                    {
                        handed += n;
                        onRead?.Invoke(handed);
                        return n;
                    }
                    if (exited)
                    {
                        sftp.WaitForExit();
                        if (sftp.ExitCode != 0)
                            lock (err) throw new IOException("sftp exited with " + sftp.ExitCode + ": " + err.ToString().Trim());
                        return 0;
                    }
                    Thread.Sleep(2);
                }
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    if (!sftp.HasExited) sftp.Kill();
                    sftp.WaitForExit();
                    sftp.Dispose();
                    file.Dispose();
                    File.Delete(path);
                }
                base.Dispose(disposing);
            }

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => handed; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long o, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] b, int o, int c) => throw new NotSupportedException();
        }
    }
}
