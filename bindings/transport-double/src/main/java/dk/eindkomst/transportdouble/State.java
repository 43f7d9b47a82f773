package dk.eindkomst.transportdouble;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the double remembers and what the control API can change; every method is synchronized. */
final class State {
    private final Duration defaultLifetime;
    private final List<Map<String, Object>> requests = new ArrayList<>();
    private final Map<String, Set<String>> subscriptions = new LinkedHashMap<>();
    private final List<String> orders = new ArrayList<>();
    private final List<Map<String, Object>> tokens = new ArrayList<>();
    private Duration tokenLifetime;
    private String[] nextFault;
    private int nextRawStatus;
    private String nextAnswer = "signed";

    State(Duration lifetime) {
        defaultLifetime = lifetime;
        tokenLifetime = lifetime;
    }

    synchronized void reset() {
        requests.clear();
        subscriptions.clear();
        orders.clear();
        tokens.clear();
        tokenLifetime = defaultLifetime;
        nextFault = null;
        nextRawStatus = 0;
        nextAnswer = "signed";
    }

    synchronized void record(Map<String, Object> request) {
        request.put("n", requests.size());
        requests.add(request);
    }

    synchronized List<Map<String, Object>> requests() { return List.copyOf(requests); }

    synchronized void token(Map<String, Object> t) { tokens.add(t); }

    synchronized List<Map<String, Object>> tokens() { return List.copyOf(tokens); }

    synchronized Duration tokenLifetime() { return tokenLifetime; }

    synchronized void tokenLifetime(Duration d) { tokenLifetime = d; }

    /** Adds ({@code start}) or removes a CPR; false when nothing changed. */
    synchronized boolean subscribe(String se, String cpr, boolean start) {
        Set<String> set = subscriptions.computeIfAbsent(se, k -> new LinkedHashSet<>());
        return start ? set.add(cpr) : set.remove(cpr);
    }

    synchronized Map<String, List<String>> subscriptions() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        subscriptions.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    synchronized void order(String id) { orders.add(id); }

    synchronized List<String> orders() { return List.copyOf(orders); }

    synchronized void nextFault(String code, String text) { nextFault = new String[] {code, text}; }

    synchronized String[] takeFault() {
        String[] f = nextFault;
        nextFault = null;
        return f;
    }

    synchronized void nextRawStatus(int status) { nextRawStatus = status; }

    synchronized int takeRawStatus() {
        int s = nextRawStatus;
        nextRawStatus = 0;
        return s;
    }

    /** How the next answer is signed: signed, tampered, wrong-key or unsigned. */
    synchronized void nextAnswer(String mode) {
        if (!List.of("signed", "tampered", "wrong-key", "unsigned").contains(mode)) throw new IllegalArgumentException("answer mode " + mode);
        nextAnswer = mode;
    }

    synchronized String takeAnswer() {
        String m = nextAnswer;
        nextAnswer = "signed";
        return m;
    }
}
