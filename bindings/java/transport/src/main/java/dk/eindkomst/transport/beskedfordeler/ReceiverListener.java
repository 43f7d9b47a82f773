package dk.eindkomst.transport.beskedfordeler;

/** What a receiver reports besides handing messages to the handler. All methods default to no-ops. */
public interface ReceiverListener {
    /** The handler returned and the outcome is in the ledger; the acknowledgement (AMQP) or answer 20 (REST) follows. */
    default void handled(Besked besked) {}

    /** A message whose BeskedId (or message id) is settled in the ledger; acknowledged without handling it again. */
    default void duplicate(String messageId, String beskedId, boolean redelivered) {}

    /** A bad message was stored in the dead-letter sink, written to the ledger, and acknowledged. */
    default void deadLettered(DeadLetter letter) {}

    /** The handler (or the dead-letter sink, or the ledger) failed; the message stays with Beskedfordeler. */
    default void handlerFailed(String messageId, Exception cause) {}
}
