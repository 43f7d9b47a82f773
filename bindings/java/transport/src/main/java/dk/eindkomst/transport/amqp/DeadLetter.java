package dk.eindkomst.transport.amqp;

/**
 * A message the engine (or the envelope parser) could not accept, with the error attached. The error
 * text names positions and kinds only, never field contents; the raw body does hold personal data.
 *
 * @param messageId  the AMQP {@code message_id}
 * @param beskedId   {@code BeskedId}, or {@code null} when the envelope could not be read
 * @param body       the message body as received
 * @param errorCode  {@code bad_envelope}, {@code no_payload}, or the engine's finding code (e.g. {@code not_digit})
 * @param errorText  what went wrong, e.g. the engine's finding with line, record, field and offset
 */
public record DeadLetter(String messageId, String beskedId, byte[] body, String errorCode, String errorText) {}
