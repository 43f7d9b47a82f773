package dk.eindkomst.transport.beskedfordeler;

import dk.eindkomst.Finding;
import dk.eindkomst.Record;
import dk.eindkomst.transport.Redact;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The channel-independent part of receiving a Beskedfordeler message, used by the AMQP consumer and the REST
 * receiver. For one body it decides, in this order:
 * <ol>
 * <li>already settled in the {@link Ledger} (by message id, then by BeskedId) → {@link Outcome#DUPLICATE};</li>
 * <li>unreadable, not valid against KOMBIT's schema, no BeskedId, no or undecodable payload, a payload the
 *     engine rejects → dead-lettered ({@link Outcome#DEAD_LETTERED});</li>
 * <li>the handler already had {@code maxAttempts} attempts (also attempts cut short by a crash) → dead-lettered
 *     with {@code handler_failed};</li>
 * <li>else {@code BEGIN} in the ledger, the handler is called; returned → {@code HANDLED} forced to disk →
 *     {@link Outcome#HANDLED}; threw → {@link Outcome#RETRY}, or dead-lettered at the last attempt.</li>
 * </ol>
 * Dead-lettering stores the letter in the sink first, then forces {@code DEAD} to the ledger. A ledger that
 * cannot be written gives {@link Outcome#UNAVAILABLE}. Only after HANDLED, DUPLICATE or DEAD_LETTERED may
 * the channel acknowledge. Calls are serialized.
 */
public final class BeskedReceiver {
    /** What the channel does with the message. */
    public enum Outcome {
        /** Handled now; acknowledge (REST: 20). */
        HANDLED,
        /** Handled or dead-lettered before; acknowledge (REST: 20). */
        DUPLICATE,
        /** Stored in the dead-letter sink; acknowledge (REST: 20). */
        DEAD_LETTERED,
        /** The handler or the sink failed; leave the message with Beskedfordeler to come again (REST: 40). */
        RETRY,
        /** The ledger cannot be written: a serious local failure (REST: 53, which stops delivery). */
        UNAVAILABLE
    }

    /** The outcome with its reason code and text (null for HANDLED and DUPLICATE). */
    public record Receipt(Outcome outcome, String code, String text) {}

    private final Ledger ledger;
    private final BeskedHandler handler;
    private final int maxAttempts;
    private final ReceiverListener listener;

    /**
     * @param maxAttempts how many times the handler may be tried for one BeskedId (at least 1), counted in the
     *                    ledger across restarts; then the message is dead-lettered with {@code handler_failed}
     */
    public BeskedReceiver(Ledger ledger, BeskedHandler handler, int maxAttempts, ReceiverListener listener) {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
        this.ledger = Objects.requireNonNull(ledger);
        this.handler = Objects.requireNonNull(handler);
        this.maxAttempts = maxAttempts;
        this.listener = listener == null ? new ReceiverListener() { } : listener;
    }

    /**
     * Receives one body.
     *
     * @param body        the message body as received
     * @param form        what the body must be (AMQP: a Haendelsesbesked; REST: a ModtagBeskedInput)
     * @param messageId   the AMQP message id, or null (REST)
     * @param redelivered the AMQP redelivered flag (REST: false; taken from AntalLeveranceforsoeg)
     * @param sink        where bad messages go
     */
    public synchronized Receipt receive(byte[] body, BodyForm form, String messageId, boolean redelivered, DeadLetterSink sink) {
        String bodyKey = messageId != null ? "m:" + Redact.id(messageId) : "s:" + sha256(body);
        try {
            Ledger.Entry known = ledger.get(bodyKey);
            if (known != null && known.settled()) {
                listener.duplicate(messageId, null, redelivered);
                return new Receipt(Outcome.DUPLICATE, null, null);
            }
            Envelope env;
            try {
                env = Envelope.read(body, form);
            } catch (Rejection r) {
                return deadLetter(sink, new DeadLetter(bodyKey, messageId, null, body, r.code, r.getMessage()), 0);
            }
            String key = "b:" + Redact.id(env.beskedId());
            boolean again = redelivered || env.deliveryAttempts() > 1;
            Ledger.Entry entry = ledger.get(key);
            if (entry != null && entry.settled()) {
                listener.duplicate(messageId, env.beskedId(), again);
                return new Receipt(Outcome.DUPLICATE, null, null);
            }
            int done = entry == null ? 0 : entry.attempt();
            List<Record> records = new ArrayList<>();
            List<Finding> warnings = new ArrayList<>();
            try {
                Payloads.decode(env.payloads(), records, warnings);
            } catch (Rejection r) {
                return deadLetter(sink, new DeadLetter(key, messageId, env.beskedId(), body, r.code, r.getMessage()), done);
            }
            if (done >= maxAttempts) {
                String how = entry.interrupted() ? "the last one did not return (the process stopped)" : "the last one threw";
                return deadLetter(sink, new DeadLetter(key, messageId, env.beskedId(), body, "handler_failed",
                                                       "handler had " + done + " attempts; " + how), done);
            }
            int attempt = done + 1;
            Besked besked = new Besked(messageId, env.beskedId(), attempt, entry != null && entry.interrupted(), again, records, warnings);
            ledger.begin(key, attempt);
            try {
                handler.handle(besked);
            } catch (Exception e) {
                ledger.failed(key, attempt, e.getClass().getSimpleName());
                listener.handlerFailed(messageId, e);
                if (attempt >= maxAttempts) {
                    return deadLetter(sink, new DeadLetter(key, messageId, env.beskedId(), body, "handler_failed",
                            Redact.cpr("handler failed " + attempt + " times, last: " + e.getClass().getName()
                                              + (e.getMessage() == null ? "" : ": " + e.getMessage()))), attempt);
                }
                return new Receipt(Outcome.RETRY, "handler_failed", "handler failed (attempt " + attempt + " of " + maxAttempts + ")");
            }
            ledger.handled(key, attempt);
            listener.handled(besked);
            return new Receipt(Outcome.HANDLED, null, null);
        } catch (IOException e) {
            listener.handlerFailed(messageId, e);
            return new Receipt(Outcome.UNAVAILABLE, "ledger_failed", "the ledger cannot be written");
        }
    }

    private Receipt deadLetter(DeadLetterSink sink, DeadLetter letter, int attempt) throws IOException {
        try {
            sink.store(letter);
        } catch (Exception e) {
            listener.handlerFailed(letter.messageId(), e);
            return new Receipt(Outcome.RETRY, "dead_letter_failed", "the dead-letter store failed");
        }
        ledger.dead(letter.key(), attempt, letter.errorCode());
        listener.deadLettered(letter);
        return new Receipt(Outcome.DEAD_LETTERED, letter.errorCode(), letter.errorText());
    }

    static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
