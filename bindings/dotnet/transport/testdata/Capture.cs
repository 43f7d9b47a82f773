// Writes the Beskedfordeler test envelopes and captures them from a real RabbitMQ: each envelope is published with
// Mono's RabbitMQ client (libmono-rabbitmq4.0-cil, AMQP 0-9) to a throw-away broker, fetched back with basic.get, and
// the delivered body is stored, after checking that it equals what was sent byte for byte. Run by capture.sh, not by
// the tests; the files it writes are committed (testdata/beskedfordeler/) and reviewed by hand.
// Usage: mono Capture.exe SAMPLE.txt OUTDIR BROKERPORT
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using RabbitMQ.Client;

static class Capture
{
    private static readonly Encoding Latin1 = Encoding.GetEncoding("ISO-8859-1");

    static int Main(string[] args)
    {
        byte[] sample = File.ReadAllBytes(args[0]);
        string outDir = args[1];
        int port = int.Parse(args[2]);
        string text = Latin1.GetString(sample);
        string[] lines = text.Split('\n');
        var cases = new List<KeyValuePair<string, string>>();
        Action<string, string> add = (name, xml) => cases.Add(new KeyValuePair<string, string>(name, xml));

        add("latin1.xml", Envelope(1, Base64("ISO-8859-1", sample, "")));
        add("utf8.xml", Envelope(2, Base64("UTF-8", Encoding.UTF8.GetBytes(text), " xmlns=\"urn:besked:kuvert:1.0\"")));
        add("no-namespace-base64.xml", Envelope(3, Base64("ISO-8859-1", sample, " xmlns=\"\"")));
        add("windows-1252.xml", Envelope(4, Base64("Windows-1252", Encoding.GetEncoding(1252).GetBytes(text), "")));
        add("binary.xml", Envelope(5, Base64("Binary", sample, "")));
        // "Løn" in line 1 written as "L€n": UTF-8 can carry it, ISO-8859-1 cannot.
        add("utf8-not-latin1.xml", Envelope(6, Base64("UTF-8", Encoding.UTF8.GetBytes(text.Replace("Kommunal Løn", "Kommunal L\u20acn")), "")));
        add("unknown-encoding.xml", Envelope(7, Base64("UTF-16", Encoding.Unicode.GetBytes(text), "")));
        add("no-besked-id.xml", Envelope(8, Base64("ISO-8859-1", sample, "")).Replace(
            "  <BeskedId><sd:UUIDIdentifikator>5d7c0f6e-3b1a-4c55-9d3e-d00000000008</sd:UUIDIdentifikator></BeskedId>\n", ""));
        add("empty-besked-id.xml", Envelope(9, Base64("ISO-8859-1", sample, "")).Replace(
            "<BeskedId><sd:UUIDIdentifikator>5d7c0f6e-3b1a-4c55-9d3e-d00000000009</sd:UUIDIdentifikator></BeskedId>",
            "<BeskedId><sd:UUIDIdentifikator></sd:UUIDIdentifikator></BeskedId>"));
        // Line 10 (a 6001): a letter in the amount (Beloeb).
        string damaged = text.Replace(lines[9], lines[9].Substring(0, 20) + "X" + lines[9].Substring(21));
        add("damaged-record.xml", Envelope(10, Base64("ISO-8859-1", Latin1.GetBytes(damaged), "")));
        add("no-payload.xml", Envelope(11, ""));
        add("not-well-formed.xml", Envelope(12, Base64("ISO-8859-1", sample, "")).Replace("</Beskedkuvert>", "</Beskedkuvert"));
        // A CPR-like value where the schema wants an xs:dateTime: the validator's message quotes it; the reason must not.
        add("cpr-in-invalid-field.xml", Envelope(13, Base64("ISO-8859-1", sample, "")).Replace(
            "<sd:TidsstempelDatoTid>2025-02-03T06:15:00Z</sd:TidsstempelDatoTid>", "<sd:TidsstempelDatoTid>0101575123</sd:TidsstempelDatoTid>"));
        string rest = Envelope(14, Base64("ISO-8859-1", sample, "")).Replace("<AntalLeveranceforsoeg>1<", "<AntalLeveranceforsoeg>2<");
        rest = rest.Replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Haendelsesbesked xmlns=\"urn:oio:besked:kuvert:1.0\"",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sts:ModtagBeskedInput xmlns:sts=\"urn:oio:sts:1.0.0\">\n<Haendelsesbesked xmlns=\"urn:oio:besked:kuvert:1.0\"")
            + "</sts:ModtagBeskedInput>\n";
        add("modtag-besked-input.xml", rest);

        var f = new ConnectionFactory { UserName = "guest", Password = "guest", VirtualHost = "/" };
        f.Endpoint = new AmqpTcpEndpoint(Protocols.AMQP_0_9, "127.0.0.1", port);
        using (IConnection c = f.CreateConnection())
        using (IModel m = c.CreateModel())
        {
            m.QueueDeclare("capture", false, false, false, false, false, null);
            var ids = new StringBuilder("# file\tAMQP message_id as published and delivered\n");
            foreach (KeyValuePair<string, string> kv in cases)
            {
                byte[] body = new UTF8Encoding(false).GetBytes(kv.Value);
                IBasicProperties p = m.CreateBasicProperties();
                p.MessageId = "capture-" + kv.Key;
                p.ContentType = "application/xml";
                p.DeliveryMode = 2;
                m.BasicPublish("", "capture", p, body);
                BasicGetResult g = null;
                for (int i = 0; i < 100 && g == null; i++)
                {
                    g = m.BasicGet("capture", false);
                    if (g == null) System.Threading.Thread.Sleep(50);
                }
                if (g == null) throw new Exception(kv.Key + ": not delivered");
                if (!Same(g.Body, body)) throw new Exception(kv.Key + ": delivered body differs from the published one");
                if (g.BasicProperties.MessageId != p.MessageId) throw new Exception(kv.Key + ": message id changed");
                m.BasicAck(g.DeliveryTag, false);
                File.WriteAllBytes(Path.Combine(outDir, kv.Key), g.Body);
                ids.Append(kv.Key).Append('\t').Append(g.BasicProperties.MessageId).Append('\n');
                Console.WriteLine("captured " + kv.Key + " (" + g.Body.Length + " bytes)");
            }
            File.WriteAllText(Path.Combine(outDir, "message-ids.tsv"), ids.ToString());
        }
        return 0;
    }

    private static bool Same(byte[] a, byte[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i]) return false;
        return true;
    }

    private static string Base64(string encoding, byte[] bytes, string xmlns)
    {
        return "  <Beskeddata>\n<Base64" + xmlns + " encoding=\"" + encoding + "\" content-type=\"text/plain\" file-type=\".txt\">"
            + Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n") + "</Base64>\n  </Beskeddata>\n";
    }

    private static string Envelope(int n, string beskeddata)
    {
        string id = "5d7c0f6e-3b1a-4c55-9d3e-d" + n.ToString("D11");
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<Haendelsesbesked xmlns=\"urn:oio:besked:kuvert:1.0\" xmlns:sd=\"urn:oio:sagdok:3.0.0\">\n"
            + "  <BeskedId><sd:UUIDIdentifikator>" + id + "</sd:UUIDIdentifikator></BeskedId>\n"
            + "  <BeskedVersion>1.0</BeskedVersion>\n"
            + "  <Beskedkuvert>\n"
            + "    <Filtreringsdata>\n"
            + "      <Beskedtype><sd:UUIDIdentifikator>8c3a3f3e-0b0e-4a77-9d6f-2f0a6d1c4e11</sd:UUIDIdentifikator></Beskedtype>\n"
            + "      <TilladtModtager><sd:URNIdentifikator>urn:oio:cvr-nr:29189846</sd:URNIdentifikator></TilladtModtager>\n"
            + "    </Filtreringsdata>\n"
            + "    <Leveranceinformation>\n"
            + "      <Dannelsestidspunkt><sd:TidsstempelDatoTid>2025-02-03T06:15:00Z</sd:TidsstempelDatoTid></Dannelsestidspunkt>\n"
            + "      <TransaktionsId><sd:UUIDIdentifikator>a1b2c3d4-0000-4000-8000-d" + n.ToString("D11") + "</sd:UUIDIdentifikator></TransaktionsId>\n"
            + "      <Leveranceruter>\n"
            + "        <Leverancerute>\n"
            + "          <LeveranceruteLokalUdvidelse><AntalLeveranceforsoeg>1</AntalLeveranceforsoeg></LeveranceruteLokalUdvidelse>\n"
            + "        </Leverancerute>\n"
            + "      </Leveranceruter>\n"
            + "    </Leveranceinformation>\n"
            + "  </Beskedkuvert>\n"
            + beskeddata
            + "</Haendelsesbesked>\n";
    }
}
