package dk.eindkomst.transportdouble;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The control API for tests (plain HTTP on 127.0.0.1; JSON answers):
 * <pre>
 * GET  /requests                      every request so far: endpoint, accepted, category + refusal, warnings,
 *                                     soapAction, messageId, transaktionsId, tokenId, appliesTo, body
 * GET  /subscriptions                 {"SE-nr": ["CPR", ...]}
 * GET  /orders                        ["order id", ...]
 * GET  /tokens                        tokens the STS issued: id, audience, notOnOrAfter
 * POST /reset                         forget everything above and every injection below
 * POST /token-lifetime?seconds=N      lifetime of the tokens issued from now on
 * POST /fault?code=C&amp;text=T           the next accepted service call answers a ServiceplatformFault
 * POST /raw?status=N                  the next service call answers HTTP N with an HTML body
 * POST /answer?mode=M                 the next answer is tampered | wrong-key | unsigned (default signed)
 * POST /stop                          ends the program
 * </pre>
 */
final class Control implements HttpHandler {
    private final State state;
    private final Runnable stop;

    Control(State state, Runnable stop) {
        this.state = state;
        this.stop = stop;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        Object answer;
        try {
            boolean post = "POST".equals(ex.getRequestMethod());
            answer = switch (path) {
                case "/requests" -> state.requests();
                case "/subscriptions" -> state.subscriptions();
                case "/orders" -> state.orders();
                case "/tokens" -> state.tokens();
                default -> {
                    if (!post) throw new IllegalArgumentException("unknown " + path);
                    switch (path) {
                        case "/reset" -> state.reset();
                        case "/token-lifetime" -> state.tokenLifetime(Duration.ofSeconds(Long.parseLong(q.get("seconds"))));
                        case "/fault" -> state.nextFault(q.get("code"), q.get("text"));
                        case "/raw" -> state.nextRawStatus(Integer.parseInt(q.get("status")));
                        case "/answer" -> state.nextAnswer(q.get("mode"));
                        case "/stop" -> stop.run();
                        default -> throw new IllegalArgumentException("unknown " + path);
                    }
                    yield Map.of("ok", true);
                }
            };
        } catch (Exception e) {
            byte[] b = Json.of(Map.of("error", String.valueOf(e.getMessage()))).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(400, b.length);
            ex.getResponseBody().write(b);
            ex.close();
            return;
        }
        byte[] b = Json.of(answer).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) return q;
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) q.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }
}
