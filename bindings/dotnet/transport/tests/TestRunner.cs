using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace Eindkomst.Transport.Tests
{
    /// <summary>Thrown by the checks below; the message says what differed.</summary>
    internal sealed class Failure : Exception
    {
        internal Failure(string message) : base(message)
        {
        }
    }

    /// <summary>
    /// The test program of the C# transports: runs every test, prints "ok - NAME" or "not ok - NAME: why" per test and
    /// "N passed, N failed" at the end (exit code 1 on any failure). Servers come from the environment
    /// (scripts/test.d/72-dotnet-transport.sh starts them with tests/servers.sh): EIK_DOUBLE_READY and EIK_DOUBLE_CERTS
    /// (the transport double), EIK_RABBIT_PORT (rabbitmq-server), EIK_SSHD_* (OpenSSH sshd); EIK_REPO is the repository.
    /// Arguments: name filters (a test runs when its name contains one of them); none: all.
    /// </summary>
    internal static class TestRunner
    {
        private static readonly List<KeyValuePair<string, Action>> Tests = new List<KeyValuePair<string, Action>>();

        internal static string Repo => Env("EIK_REPO");

        internal static string Env(string name)
        {
            string v = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(v)) throw new Failure("environment variable " + name + " is not set");
            return v;
        }

        internal static void Test(string name, Action body)
        {
            Tests.Add(new KeyValuePair<string, Action>(name, body));
        }

        internal static void Eq<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new Failure(what + ": expected <" + expected + ">, got <" + actual + ">");
        }

        internal static void Seq<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what)
        {
            List<T> e = expected.ToList(), a = actual.ToList();
            if (!e.SequenceEqual(a)) throw new Failure(what + ": expected [" + string.Join(", ", e) + "], got [" + string.Join(", ", a) + "]");
        }

        internal static void True(bool condition, string what)
        {
            if (!condition) throw new Failure(what);
        }

        /// <summary>Runs <paramref name="body"/> and returns the exception of type <typeparamref name="T"/> it throws (unwrapping AggregateException).</summary>
        internal static T Throws<T>(Action body, string what) where T : Exception
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                Exception x = e is AggregateException && e.InnerException != null ? e.GetBaseException() : e;
                var t = x as T;
                if (t == null) throw new Failure(what + ": expected " + typeof(T).Name + ", got " + x.GetType().Name + ": " + x.Message);
                return t;
            }
            throw new Failure(what + ": expected " + typeof(T).Name + ", nothing was thrown");
        }

        /// <summary>A fresh temporary directory under the run's own.</summary>
        internal static string TempDir(string name)
        {
            string d = Path.Combine(Env("EIK_TEST_TMP"), name + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(d);
            return d;
        }

        /// <summary>Runs a program; returns its standard output; throws on a non-zero exit.</summary>
        internal static string Run(string file, string args, string stdin = null, int timeoutMs = 120000)
        {
            var psi = new ProcessStartInfo(file, args)
            {
                UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin != null,
            };
            using (Process p = Process.Start(psi))
            {
                if (stdin != null)
                {
                    p.StandardInput.Write(stdin);
                    p.StandardInput.Close();
                }
                var err = p.StandardError.ReadToEndAsync();
                string output = p.StandardOutput.ReadToEnd();
                if (!p.WaitForExit(timeoutMs))
                {
                    p.Kill();
                    throw new Failure(file + " did not finish");
                }
                if (p.ExitCode != 0) throw new Failure(file + " " + args + " exited with " + p.ExitCode + ": " + err.Result.Trim());
                return output;
            }
        }

        private static int Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "--consume") return BeskedTests.ConsumeMain(args);
            Console.OutputEncoding = new UTF8Encoding(false);
            SoapTests.Register();
            BeskedTests.Register();
            DailyFileTests.Register();
            XmlFuzzTests.Register();
            int passed = 0, failed = 0;
            foreach (KeyValuePair<string, Action> t in Tests)
            {
                if (args.Length > 0 && !args.Any(a => t.Key.Contains(a))) continue;
                var clock = Stopwatch.StartNew();
                try
                {
                    t.Value();
                    passed++;
                    Console.WriteLine("ok - " + t.Key + " (" + clock.ElapsedMilliseconds + " ms)");
                }
                catch (Exception e)
                {
                    failed++;
                    Exception x = e is AggregateException && e.InnerException != null ? e.GetBaseException() : e;
                    Console.WriteLine("not ok - " + t.Key + ": " + (x is Failure ? x.Message : x.ToString()));
                }
            }
            Console.WriteLine(passed + " passed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        }
    }
}
