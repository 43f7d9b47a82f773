package dk.eindkomst.transport.beskedfordeler;

/**
 * A message that was not handed to the handler, with the reason. The error text names positions and kinds
 * only, never field contents (CPR-like digit runs are masked); the raw body does hold personal data.
 *
 * @param key        the message's ledger key: {@code b:<BeskedId>}, or {@code m:<message id>} / {@code s:<sha256>}
 *                   when no BeskedId could be read (a sink keyed by it stores each message once)
 * @param messageId  the AMQP {@code message_id}, or {@code null} (REST)
 * @param beskedId   {@code BeskedId}, or {@code null} when the envelope could not be read
 * @param body       the message body as received
 * @param errorCode  {@code bad_envelope}, {@code invalid_envelope}, {@code no_besked_id}, {@code no_payload},
 *                   {@code unknown_encoding}, {@code bad_encoding}, {@code not_latin1}, {@code invalid_base64},
 *                   {@code handler_failed}, or the engine's finding code (e.g. {@code not_digit})
 * @param errorText  what went wrong, e.g. the engine's finding with line, record, field and offset
 */
public record DeadLetter(String key, String messageId, String beskedId, byte[] body, String errorCode, String errorText) {}
