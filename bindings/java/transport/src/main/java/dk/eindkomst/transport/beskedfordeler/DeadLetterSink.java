package dk.eindkomst.transport.beskedfordeler;

/**
 * Where bad messages go before they are acknowledged (AMQP) or answered with 20 (REST). Return only when the
 * letter is durably kept; throwing leaves the message with Beskedfordeler (it comes again). A process stopped
 * between the store and the ledger line stores the letter again on the next delivery, so a sink should be
 * idempotent on {@link DeadLetter#key()} ({@link DirectoryDeadLetterSink} is).
 */
@FunctionalInterface
public interface DeadLetterSink {
    void store(DeadLetter letter) throws Exception;
}
