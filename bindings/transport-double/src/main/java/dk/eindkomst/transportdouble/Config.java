package dk.eindkomst.transportdouble;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The double's settings, from the command line ({@code --name value}). Defaults are test values: the real
 * SF0770_E entity ids and SOAP actions are not public (docs/transports.md), so nothing here is a production value.
 */
record Config(Path certs, Path xsd, String cvr, List<String> allowedSeNr, Duration tokenLifetime, String stsEntityId,
              String amqpEntityId, Map<String, Service> services, Path readyFile, boolean exitOnStdinEof) {

    /** One SOAP service of the double. */
    record Service(String name, String path, String soapAction, String entityId, boolean vedligehold) {}

    static final String STS_PATH = "/runtime/services/kombittrust/14/certificatemixed";

    static Config parse(String[] args, Path home) {
        Map<String, String> a = new LinkedHashMap<>();
        boolean exitOnEof = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--exit-on-stdin-eof")) {
                exitOnEof = true;
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                a.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
        }
        if (!a.containsKey("certs")) throw new IllegalArgumentException("--certs DIR is required (make it with make-certs.sh)");
        Map<String, Service> services = new LinkedHashMap<>();
        services.put("vedligehold", new Service("vedligehold", "/service/SKAT/IndkomstAbonnementVedligehold/3",
                a.getOrDefault("vedligehold-action", "http://www.kombit.dk/2017/01/01/IndkomstAbonnementVedligeholdService_3#Ajourfoer"),
                a.getOrDefault("vedligehold-entity-id", "urn:eindkomst:double:entityid:indkomstabonnementvedligehold:3"), true));
        services.put("bestil", new Service("bestil", "/service/SKAT/IndkomstOplysningVirksomhedAbonnentBestil/2",
                a.getOrDefault("bestil-action", "http://www.kombit.dk/2017/01/01/IndkomstOplysningVirksomhedAbonnentBestilService_2#Bestil"),
                a.getOrDefault("bestil-entity-id", "urn:eindkomst:double:entityid:indkomstoplysningvirksomhedabonnentbestil:2"), false));
        Config c = new Config(Path.of(a.remove("certs")), Path.of(a.getOrDefault("xsd", home.resolve("xsd").toString())),
                a.getOrDefault("cvr", "29189846"), List.of(a.getOrDefault("allowed-se", "12345678").split(",")),
                Duration.ofSeconds(Long.parseLong(a.getOrDefault("token-lifetime", "28800"))),
                a.getOrDefault("sts-entity-id", "urn:eindkomst:double:sts"),
                a.getOrDefault("amqp-entity-id", "http://entityid.kombit.dk/service/bfo_modtag/2"), services,
                a.containsKey("ready-file") ? Path.of(a.get("ready-file")) : null, exitOnEof);
        for (String k : List.of("xsd", "cvr", "allowed-se", "token-lifetime", "sts-entity-id", "amqp-entity-id", "vedligehold-action",
                                "vedligehold-entity-id", "bestil-action", "bestil-entity-id", "ready-file")) {
            a.remove(k);
        }
        if (!a.isEmpty()) throw new IllegalArgumentException("unknown option --" + a.keySet().iterator().next());
        return c;
    }

    /** Entity ids the STS issues tokens for. */
    List<String> entityIds() {
        var ids = new java.util.ArrayList<String>();
        for (Service s : services.values()) ids.add(s.entityId());
        ids.add(amqpEntityId);
        return ids;
    }
}
